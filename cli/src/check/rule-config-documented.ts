import { CONFIG_SCHEMA_FILE, extractConfigKeys } from "./config-keys.ts";
import { mentionsKey, parseEnvExample } from "./env-example.ts";
import { readServiceFile } from "./source.ts";
import type { Finding, Rule, RuleContext } from "./types.ts";

/** The environment example every key must appear in. */
export const ENV_EXAMPLE = ".env.example";
/** The configuration reference, checked when the service has it. */
export const CONFIGURATION_DOC = "docs/configuration.md";

/** `lumi/config-documented`: every key of the config schema is in .env.example (commented) and the docs. */
export const configDocumentedRule: Rule = {
  id: "lumi/config-documented",
  title: "Configuration keys are documented",
  rationale:
    "Operators configure a service from .env.example and docs/configuration.md; a key missing there is a key nobody sets right.",
  fix: `Regenerate .env.example from ${CONFIG_SCHEMA_FILE} (npm run env-example) and describe each key in ${CONFIGURATION_DOC}.`,
  async run(context: RuleContext): Promise<readonly Finding[]> {
    const { keys, problems } = await extractConfigKeys(context.dir);
    const findings: Finding[] = [...problems];
    const example = await readServiceFile(context.dir, ENV_EXAMPLE);
    const docs = await readServiceFile(context.dir, CONFIGURATION_DOC);
    if (example === undefined)
      findings.push({ file: ENV_EXAMPLE, message: `${ENV_EXAMPLE} is missing` });
    const entries = parseEnvExample(example ?? "");
    for (const { key } of keys) {
      const entry = entries.get(key);
      if (example !== undefined && entry === undefined) {
        findings.push({ file: ENV_EXAMPLE, message: `${key} is not in ${ENV_EXAMPLE}` });
      } else if (entry !== undefined && !entry.documented) {
        findings.push({
          file: ENV_EXAMPLE,
          line: entry.line,
          message: `${key} has no comment line above it`,
        });
      }
      if (docs !== undefined && !mentionsKey(docs, key)) {
        findings.push({
          file: CONFIGURATION_DOC,
          message: `${key} is not described in ${CONFIGURATION_DOC}`,
        });
      }
    }
    return findings;
  },
};
