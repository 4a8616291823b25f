import type { Manifest } from "../manifest/index.ts";

/** What `runCheck` is asked to check. */
export interface CheckOptions {
  /** The service root. */
  readonly dir: string;
  /** Version of this CLI = newest template version. */
  readonly cliVersion: string;
  /** Released template versions known to the CLI, oldest first. */
  readonly releases: readonly string[];
  /** The current time (waiver expiry); defaults to now. */
  readonly now?: Date;
}

/** One problem a rule found, located in the service when it can be. */
export interface Finding {
  readonly message: string;
  /** Path relative to the service root, POSIX separators. */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
}

/** One entry of the waivers file: a rule's failure accepted for a while. */
export interface Waiver {
  readonly rule: string;
  readonly owner: string;
  readonly reason: string;
  /** Last day (UTC) the waiver applies, `YYYY-MM-DD`. */
  readonly expires: string;
  /** Limits the waiver to findings in these files (a trailing `/` matches a directory). */
  readonly files?: readonly string[];
}

/** The result of one rule. */
export interface RuleOutcome {
  readonly id: string;
  readonly title: string;
  readonly rationale: string;
  readonly fix: string;
  readonly status: "pass" | "fail" | "waived";
  /** On fail, the findings no waiver covers; when waived, every finding. */
  readonly findings: readonly Finding[];
  /** The waiver that turned the failure into "waived". */
  readonly waiver?: Waiver;
}

/** Everything `lumi check` found. */
export interface CheckReport {
  /** The absolute service root. */
  readonly dir: string;
  /** False when a rule fails or a waiver is invalid or expired. */
  readonly ok: boolean;
  readonly rules: readonly RuleOutcome[];
  /** Waivers that are incomplete, malformed, unknown or expired. */
  readonly waiverProblems: readonly Finding[];
}

/** A dependency a service may not use, with the reason shown to its team. */
export interface ForbiddenDependency {
  readonly name: string;
  /** Forbidden versions as a semver range; `*` (the default) forbids all. */
  readonly range: string;
  readonly reason: string;
}

/** `.lumi/check.json` with its defaults applied. */
export interface CheckConfig {
  readonly maxReleasesBehind: number;
  readonly forbiddenDependencies: readonly ForbiddenDependency[];
  /** Waivers file relative to the service root. */
  readonly waiversFile: string;
  /** Whether `waiversFile` was set explicitly (then it must exist). */
  readonly waiversFileExplicit: boolean;
}

/** What a rule gets to look at. */
export interface RuleContext {
  /** The absolute service root. */
  readonly dir: string;
  readonly manifest: Manifest;
  readonly config: CheckConfig;
  readonly cliVersion: string;
  readonly releases: readonly string[];
  readonly now: Date;
}

/** One golden-path rule: stable id, one-line rationale and fix hint, and its check. */
export interface Rule {
  /** Stable, kebab-case, `lumi/` prefixed. */
  readonly id: string;
  readonly title: string;
  readonly rationale: string;
  readonly fix: string;
  /** Resolves to the rule's findings; none means it passes. */
  run(context: RuleContext): Promise<readonly Finding[]>;
}
