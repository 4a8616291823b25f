export {
  CHECK_CONFIG_PATH,
  DEFAULT_CHECK_CONFIG,
  DEFAULT_FORBIDDEN_DEPENDENCIES,
  DEFAULT_WAIVERS_FILE,
  loadCheckConfig,
} from "./config.ts";
export { type ConfigKey, type ConfigKeys, extractConfigKeys } from "./config-keys.ts";
export { formatCheckText, formatFinding } from "./format-text.ts";
export { checkRules } from "./rules.ts";
export { runCheck } from "./run-check.ts";
export { SARIF_SCHEMA_URI, toSarif } from "./sarif.ts";
export type {
  CheckConfig,
  CheckOptions,
  CheckReport,
  Finding,
  ForbiddenDependency,
  Rule,
  RuleContext,
  RuleOutcome,
  Waiver,
} from "./types.ts";
