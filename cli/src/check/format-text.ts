import { styleText } from "node:util";
import type { CheckReport, Finding, RuleOutcome } from "./types.ts";

type Style = Parameters<typeof styleText>[0];

const marks = {
  pass: ["✔", "green"],
  fail: ["✖", "red"],
  waived: ["⊘", "yellow"],
} as const satisfies Record<RuleOutcome["status"], readonly [string, Style]>;

/** `file:line  message`, or the message alone when the finding has no file. */
export function formatFinding(finding: Finding): string {
  if (finding.file === undefined) return finding.message;
  const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
  return `${where}  ${finding.message}`;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/**
 * The human report: a line per rule (`✔ id  title`, `✖ …`, `⊘ …` when
 * waived), its findings and fix hint indented below, waiver problems, and a
 * summary line. Without colour the text has no escape codes.
 */
export function formatCheckText(report: CheckReport, options: { color: boolean }): string {
  const paint = (style: Style, text: string) =>
    options.color ? styleText(style, text, { validateStream: false }) : text;
  const lines: string[] = [];
  for (const rule of report.rules) {
    const [mark, color] = marks[rule.status];
    const waiver = rule.waiver;
    const waived =
      waiver === undefined
        ? ""
        : paint("dim", `  (waived by ${waiver.owner} until ${waiver.expires}: ${waiver.reason})`);
    lines.push(`${paint(color, mark)} ${paint("bold", rule.id)}  ${rule.title}${waived}`);
    if (rule.status === "pass") continue;
    for (const finding of rule.findings) lines.push(`    ${formatFinding(finding)}`);
    if (rule.status === "fail") lines.push(paint("dim", `    fix: ${rule.fix}`));
  }
  if (report.waiverProblems.length > 0) {
    lines.push(`${paint("red", marks.fail[0])} ${paint("bold", "waivers")}  Waivers are valid`);
    for (const problem of report.waiverProblems) lines.push(`    ${formatFinding(problem)}`);
    lines.push(
      paint(
        "dim",
        "    fix: give each waiver rule, owner, reason and expires (YYYY-MM-DD), and renew or remove expired ones.",
      ),
    );
  }
  const count = (status: RuleOutcome["status"]) =>
    report.rules.filter((rule) => rule.status === status).length;
  const parts = [`${count("pass")} passed`, `${count("fail")} failed`, `${count("waived")} waived`];
  if (report.waiverProblems.length > 0)
    parts.push(plural(report.waiverProblems.length, "waiver problem"));
  const [mark, color] = report.ok ? marks.pass : marks.fail;
  lines.push(
    "",
    `${paint(color, mark)} ${plural(report.rules.length, "rule")}: ${parts.join(", ")}`,
  );
  return `${lines.join("\n")}\n`;
}
