import {
  type DependencyDefaults,
  describeDependencyKeys,
} from "../resilience/dependency-config.ts";
import { configSchema, secretKeys } from "./schema.ts";

/**
 * Renders `.env.example` from the schema: every key with its doc line,
 * choices, and default (commented out, so the file documents without
 * overriding). Secrets are listed with an empty value.
 */
export function renderEnvExample(
  dependencies: Readonly<Record<string, DependencyDefaults>> = {},
): string {
  const lines = [
    "# Generated from src/platform/config/schema.ts by `npm run config:env-example`; do not edit.",
    "# Copy to .env for local overrides (`npm run dev` loads it). Every key is optional",
    "# unless marked required; the value shown is the default.",
    "",
  ];
  for (const [key, spec] of Object.entries(configSchema)) {
    const s = spec as {
      desc?: string;
      default?: unknown;
      choices?: readonly unknown[];
      example?: string;
    };
    lines.push(`# ${s.desc ?? key}`);
    if (s.choices !== undefined) lines.push(`# One of: ${s.choices.join(", ")}.`);
    if (s.example !== undefined) lines.push(`# Example: ${s.example}`);
    if (secretKeys.has(key as keyof typeof configSchema))
      lines.push("# Secret: never commit a value.");
    const fallback = s.default;
    if (fallback === undefined) {
      lines.push("# Required.", `${key}=`, "");
      continue;
    }
    const value = Array.isArray(fallback) ? fallback.join(",") : String(fallback);
    lines.push(`# ${key}=${value}`, "");
  }
  for (const [name, defaults] of Object.entries(dependencies)) {
    lines.push(`# --- Outbound dependency "${name}" (docs/resilience.md) ---`, "");
    for (const { key, desc, default: fallback } of describeDependencyKeys(name, defaults)) {
      lines.push(`# ${desc}`, fallback === "" ? `${key}=` : `# ${key}=${fallback}`, "");
    }
  }
  return lines.join("\n");
}
