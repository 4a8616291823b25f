import path from "node:path";
import type { Command } from "commander";
import type { CheckReport } from "../../check/index.ts";
import { formatCheckText, runCheck, toSarif } from "../../check/index.ts";
import { LumiCliError } from "../../errors/index.ts";
import { createOutput, type GlobalOptions } from "../../utils/output.ts";
import { cliVersion } from "../../utils/paths.ts";
import { releases } from "../../utils/releases.ts";

/** The options of `lumi check`. */
export interface CheckCommandOptions extends GlobalOptions {
  readonly directory?: string;
  readonly format?: string;
}

const FORMATS = ["text", "json", "sarif"] as const;

/** Runs `lumi check`; throws a failed error (exit 1) when a rule fails. */
export async function runCheckCommand(options: CheckCommandOptions): Promise<CheckReport> {
  const format = options.json === true ? "json" : (options.format ?? "text");
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new LumiCliError("usage", `invalid --format "${format}": use text, json or sarif`);
  }
  const output = createOutput({ ...options, json: false });
  const dir = path.resolve(options.directory ?? ".");
  const report = await runCheck({ dir, cliVersion, releases });
  if (format === "json") process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === "sarif") {
    process.stdout.write(`${JSON.stringify(toSarif(report, cliVersion), null, 2)}\n`);
  } else output.text(formatCheckText(report, { color: output.color }));
  if (!report.ok) {
    const failing = report.rules.filter((rule) => rule.status === "fail").map((rule) => rule.id);
    throw new LumiCliError(
      "failed",
      `check failed: ${[...failing, ...(report.waiverProblems.length > 0 ? ["waivers"] : [])].join(", ")}`,
    );
  }
  return report;
}

/** Registers `lumi check` on the program. */
export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("check the service against the golden-path rules")
    .option("--directory <dir>", "the service (default: the current directory)")
    .option("--format <format>", "text (default), json or sarif")
    .action(async (options: CheckCommandOptions, command: Command) => {
      await runCheckCommand({ ...command.optsWithGlobals(), ...options });
    });
}
