import { isSeq } from "yaml";
import { LumiCliError } from "../errors/index.ts";
import { isRecord, parseLocated, readJsonFile } from "./source.ts";
import type { CheckConfig, Finding, Waiver } from "./types.ts";

/** The usable waivers of a service, and what is wrong with the others. */
export interface LoadedWaivers {
  readonly waivers: readonly Waiver[];
  readonly problems: readonly Finding[];
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The end of a `YYYY-MM-DD` day in UTC (ms), or undefined when it is no real date. */
export function endOfDayUtc(date: string): number | undefined {
  const match = datePattern.exec(date);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(Date.UTC(year, month - 1, day));
  if (start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day) return undefined;
  return start.getTime() + 86_400_000 - 1;
}

/**
 * Reads the waivers file (optional unless configured explicitly). A malformed
 * file is a state error; an incomplete, unknown or expired waiver is a problem.
 */
export async function loadWaivers(
  dir: string,
  config: CheckConfig,
  ruleIds: ReadonlySet<string>,
  now: Date,
): Promise<LoadedWaivers> {
  const file = config.waiversFile;
  const json = await readJsonFile(dir, file);
  if (json === undefined) {
    if (config.waiversFileExplicit) throw new LumiCliError("state", `${file} not found`);
    return { waivers: [], problems: [] };
  }
  const parsed = json.value;
  if (!Array.isArray(parsed)) throw new LumiCliError("state", `${file} must be a JSON array`);
  const source = parseLocated(json.text, file);
  const items = isSeq(source.doc.contents) ? source.doc.contents.items : [];
  const waivers: Waiver[] = [];
  const problems: Finding[] = [];
  parsed.forEach((entry: unknown, index) => {
    const start = (items[index] as { range?: [number, number, number] } | undefined)?.range?.[0];
    const issues = waiverIssues(entry, ruleIds, now);
    if (issues.length === 0) waivers.push(entry as Waiver);
    else {
      const line = start === undefined ? undefined : source.line(start);
      const rule = isRecord(entry) && typeof entry.rule === "string" ? entry.rule : `#${index + 1}`;
      problems.push({ message: `waiver ${rule}: ${issues.join("; ")}`, file, line });
    }
  });
  return { waivers, problems };
}

function waiverIssues(entry: unknown, ruleIds: ReadonlySet<string>, now: Date): string[] {
  if (!isRecord(entry)) return ["is not an object"];
  const text = (key: string) => typeof entry[key] === "string" && entry[key].trim() !== "";
  const missing = ["rule", "owner", "reason", "expires"].filter((key) => !text(key));
  const issues = missing.length > 0 ? [`missing ${missing.join(", ")}`] : [];
  if (text("rule") && !ruleIds.has(entry.rule as string)) issues.push("names no known rule");
  const { files } = entry;
  if (
    files !== undefined &&
    (!Array.isArray(files) || !files.every((f) => typeof f === "string" && f !== ""))
  ) {
    issues.push("files must be an array of paths");
  }
  if (text("expires")) {
    const end = endOfDayUtc(entry.expires as string);
    if (end === undefined) issues.push(`expires "${entry.expires}" is not a YYYY-MM-DD date`);
    else if (now.getTime() > end) {
      const owner = text("owner") ? ` (owner ${entry.owner})` : "";
      issues.push(`expired on ${entry.expires}${owner}; fix the rule or renew the waiver`);
    }
  }
  return issues;
}

/** Whether a waiver covers a finding: all of its rule's findings, or those in its files. */
export function waiverCovers(waiver: Waiver, finding: Finding): boolean {
  if (waiver.files === undefined) return true;
  const { file } = finding;
  if (file === undefined) return false;
  return waiver.files.some((entry) =>
    entry.endsWith("/") ? file.startsWith(entry) : file === entry,
  );
}

/** What the waivers make of a rule's findings: pass, waived (all covered) or fail (the rest). */
export function applyWaivers(
  ruleId: string,
  findings: readonly Finding[],
  waivers: readonly Waiver[],
): { status: "pass" | "fail" | "waived"; findings: readonly Finding[]; waiver?: Waiver } {
  if (findings.length === 0) return { status: "pass", findings };
  const own = waivers.filter((waiver) => waiver.rule === ruleId);
  const cover = (finding: Finding) => own.find((waiver) => waiverCovers(waiver, finding));
  const uncovered = findings.filter((finding) => cover(finding) === undefined);
  if (uncovered.length > 0) return { status: "fail", findings: uncovered };
  return { status: "waived", findings, waiver: cover(findings[0] as Finding) as Waiver };
}
