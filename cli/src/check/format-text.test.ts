import { describe, expect, it } from "vitest";
import type { CheckReport } from "./index.ts";
import { formatCheckText } from "./index.ts";

const rule = { title: "Title", rationale: "Why.", fix: "Do this." };
const report: CheckReport = {
  dir: "/srv/payments",
  ok: false,
  rules: [
    { id: "lumi/a", ...rule, status: "pass", findings: [] },
    {
      id: "lumi/b",
      ...rule,
      status: "fail",
      findings: [
        { message: "is missing", file: "README.md" },
        { message: "bad", file: "package.json", line: 4 },
        { message: "no file" },
      ],
    },
    {
      id: "lumi/c",
      ...rule,
      status: "waived",
      findings: [{ message: "old", file: "x.ts" }],
      waiver: { rule: "lumi/c", owner: "@acme", reason: "later", expires: "2031-01-01" },
    },
  ],
  waiverProblems: [
    { message: "waiver lumi/d: missing owner", file: ".lumi/waivers.json", line: 2 },
  ],
};

describe("formatCheckText", () => {
  it("when colour is off, then there are no escape codes and one line per rule with findings and fix below", () => {
    const text = formatCheckText(report, { color: false });
    expect(text).not.toContain("\u001b");
    expect(text).toBe(
      [
        "✔ lumi/a  Title",
        "✖ lumi/b  Title",
        "    README.md  is missing",
        "    package.json:4  bad",
        "    no file",
        "    fix: Do this.",
        "⊘ lumi/c  Title  (waived by @acme until 2031-01-01: later)",
        "    x.ts  old",
        "✖ waivers  Waivers are valid",
        "    .lumi/waivers.json:2  waiver lumi/d: missing owner",
        "    fix: give each waiver rule, owner, reason and expires (YYYY-MM-DD), and renew or remove expired ones.",
        "",
        "✖ 3 rules: 1 passed, 1 failed, 1 waived, 1 waiver problem",
        "",
      ].join("\n"),
    );
  });

  it("when colour is on, then marks are coloured", () => {
    const text = formatCheckText(report, { color: true });
    expect(text).toContain("\u001b[32m✔\u001b[39m");
    expect(text).toContain("\u001b[31m✖\u001b[39m");
  });

  it("when everything passes, then the summary says so", () => {
    const passing: CheckReport = {
      ...report,
      ok: true,
      rules: [report.rules[0] as CheckReport["rules"][number]],
      waiverProblems: [],
    };
    expect(formatCheckText(passing, { color: false })).toBe(
      "✔ lumi/a  Title\n\n✔ 1 rule: 1 passed, 0 failed, 0 waived\n",
    );
  });
});
