import { readServiceFile } from "./source.ts";
import type { Finding, Rule, RuleContext } from "./types.ts";

/** Files every service keeps, besides CODEOWNERS. */
export const REQUIRED_FILES = [
  "README.md",
  "SECURITY.md",
  "docs/adr/README.md",
  ".env.example",
] as const;

/** Where GitHub looks for CODEOWNERS, in its order. */
export const CODEOWNERS_LOCATIONS = [
  "CODEOWNERS",
  ".github/CODEOWNERS",
  "docs/CODEOWNERS",
] as const;

const owner = /^(@[\w.-]+(\/[\w.-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$/;

/** Whether a CODEOWNERS line assigns a path to at least one owner (a @user, @org/team or email). */
export function isOwnerLine(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return false;
  const [, ...owners] = trimmed.replace(/\s#.*$/, "").split(/\s+/);
  return owners.some((entry) => owner.test(entry));
}

async function codeownersFindings(dir: string): Promise<Finding[]> {
  for (const file of CODEOWNERS_LOCATIONS) {
    const text = await readServiceFile(dir, file);
    if (text === undefined) continue;
    if (text.split("\n").some(isOwnerLine)) return [];
    return [{ file, message: "CODEOWNERS names no owner (a line `<pattern> @org/team`)" }];
  }
  return [{ file: "CODEOWNERS", message: "CODEOWNERS is missing" }];
}

/** `lumi/required-files`: the README, owners, security policy, ADR index and .env.example exist. */
export const requiredFilesRule: Rule = {
  id: "lumi/required-files",
  title: "Required files are present",
  rationale:
    "Who owns a service, how to report a vulnerability, why it is built so and how to configure it must be findable in every repository.",
  fix: "Add each missing file (the template has a starting point for all of them) and list at least one owner in CODEOWNERS.",
  async run(context: RuleContext): Promise<readonly Finding[]> {
    const files = await Promise.all(
      REQUIRED_FILES.map(async (file): Promise<Finding[]> => {
        const text = await readServiceFile(context.dir, file);
        if (text === undefined) return [{ file, message: `${file} is missing` }];
        return text.trim() === "" ? [{ file, message: `${file} is empty` }] : [];
      }),
    );
    return [...files.flat(), ...(await codeownersFindings(context.dir))];
  },
};
