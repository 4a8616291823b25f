export { CliErrorType, exitCodeFor, LumiCliError } from "./cli-error.ts";
