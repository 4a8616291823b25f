import { gt, valid } from "semver";
import { MANIFEST_PATH } from "../manifest/index.ts";
import { keyLine, parseLocated, readServiceFile } from "./source.ts";
import type { Finding, Rule, RuleContext } from "./types.ts";

/** The template releases newer than `version`, among the releases and the CLI's own version. */
export function releasesAhead(
  version: string,
  releases: readonly string[],
  cliVersion: string,
): string[] {
  const known = new Set([...releases, cliVersion].filter((release) => valid(release) !== null));
  return [...known].filter((release) => gt(release, version));
}

/** `lumi/template-version`: the service is at most N template releases behind this CLI. */
export const templateVersionRule: Rule = {
  id: "lumi/template-version",
  title: "Template version is recent",
  rationale:
    "A service far behind the template misses its fixes, and each skipped release makes the next upgrade harder.",
  fix: "Run `npx lumi upgrade`, review the merge and commit it.",
  async run(context: RuleContext): Promise<readonly Finding[]> {
    const { templateVersion } = context.manifest;
    const text = (await readServiceFile(context.dir, MANIFEST_PATH)) ?? "";
    const at = {
      file: MANIFEST_PATH,
      line: keyLine(parseLocated(text, MANIFEST_PATH), ["templateVersion"]),
    };
    if (valid(templateVersion) === null) {
      return [{ ...at, message: `templateVersion "${templateVersion}" is not a version` }];
    }
    if (valid(context.cliVersion) !== null && gt(templateVersion, context.cliVersion)) {
      return [
        {
          ...at,
          message: `stamped from template ${templateVersion}, newer than this lumi (${context.cliVersion}): update the CLI`,
        },
      ];
    }
    const ahead = releasesAhead(templateVersion, context.releases, context.cliVersion);
    const max = context.config.maxReleasesBehind;
    if (ahead.length <= max) return [];
    return [
      {
        ...at,
        message: `template ${templateVersion} is ${ahead.length} releases behind ${context.cliVersion} (at most ${max} allowed)`,
      },
    ];
  },
};
