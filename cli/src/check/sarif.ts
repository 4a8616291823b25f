import type { Location, Log, Notification, ReportingDescriptor, Result } from "sarif";
import type { CheckReport, Finding, Waiver } from "./types.ts";

/** The schema URI a SARIF 2.1.0 log names. */
export const SARIF_SCHEMA_URI =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** The location of a finding: its file relative to the service root, and line when known. */
function locations(finding: Finding): Location[] | undefined {
  if (finding.file === undefined) return undefined;
  const region = finding.line === undefined ? {} : { region: { startLine: finding.line } };
  return [{ physicalLocation: { artifactLocation: { uri: encodeURI(finding.file) }, ...region } }];
}

function justification(waiver: Waiver): string {
  return `${waiver.reason} (owner ${waiver.owner}, until ${waiver.expires})`;
}

/**
 * The report as a SARIF 2.1.0 log: one run of the `lumi` driver with every
 * rule, an error result per finding of a failing rule, waived findings as
 * results with an external suppression, and waiver problems as tool
 * configuration notifications.
 */
export function toSarif(report: CheckReport, toolVersion: string): Log {
  const rules: ReportingDescriptor[] = report.rules.map((rule) => ({
    id: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale },
    help: { text: rule.fix },
  }));
  const results: Result[] = report.rules.flatMap((rule, ruleIndex) => {
    if (rule.status === "pass") return [];
    const suppressions =
      rule.status === "waived" && rule.waiver !== undefined
        ? {
            suppressions: [
              { kind: "external" as const, justification: justification(rule.waiver) },
            ],
          }
        : {};
    return rule.findings.map((finding) => {
      const where = locations(finding);
      return {
        ruleId: rule.id,
        ruleIndex,
        level: "error" as const,
        message: { text: finding.message },
        ...(where === undefined ? {} : { locations: where }),
        ...suppressions,
      };
    });
  });
  const notifications: Notification[] = report.waiverProblems.map((problem) => {
    const where = locations(problem);
    return {
      level: "error",
      message: { text: problem.message },
      ...(where && { locations: where }),
    };
  });
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "lumi", version: toolVersion, rules } },
        invocations: [{ executionSuccessful: true, toolConfigurationNotifications: notifications }],
        results,
      },
    ],
  };
}
