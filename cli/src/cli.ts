#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { registerAdd } from "./commands/add/index.ts";
import { registerCheck } from "./commands/check/index.ts";
import { registerNew } from "./commands/new/index.ts";
import { registerUpgrade } from "./commands/upgrade/index.ts";
import { exitCodeFor, LumiCliError } from "./errors/index.ts";
import { cliVersion } from "./utils/paths.ts";

/** Builds the `lumi` program with every command registered. */
export function createProgram(): Command {
  const program = new Command()
    .name("lumi")
    .description("Stamp, extend, upgrade and check services built from the lumi template")
    .version(cliVersion, "-v, --version")
    .option("--json", "machine-readable result on stdout (logs stay on stderr)")
    .option("--no-color", "no colours (also NO_COLOR=1)")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerNew(program);
  registerUpgrade(program);
  registerAdd(program);
  registerCheck(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

const REPORT_HINT =
  "this is a bug in lumi; please report it with the command you ran and this output";

/** Whether the error is inquirer's "the user pressed Ctrl-C" error. */
const isPromptExit = (error: unknown): boolean =>
  error instanceof Error && error.name === "ExitPromptError";

/**
 * Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 usage error,
 * 130 interrupted. Known errors print one line (plus their details); anything
 * else is a bug and says so.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successes; everything else commander reports is usage.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      if (error.code === "commander.help") return 0;
      return 2;
    }
    if (isPromptExit(error)) {
      process.stderr.write("lumi: interrupted\n");
      return 130;
    }
    if (error instanceof LumiCliError) {
      process.stderr.write(`lumi: ${error.message}\n`);
      for (const line of error.details) process.stderr.write(`${line}\n`);
      return exitCodeFor(error.type);
    }
    process.stderr.write(`lumi: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.stderr.write(`lumi: ${REPORT_HINT}\n`);
    return 1;
  }
}

/** The process entry: runs {@link main} on the process arguments and sets the exit code. */
export async function run(): Promise<void> {
  process.once("SIGINT", () => {
    process.stderr.write("\nlumi: interrupted\n");
    process.exit(130);
  });
  process.exitCode = await main(process.argv.slice(2));
}

if (import.meta.main) await run();
