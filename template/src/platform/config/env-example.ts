import { configSchema, secretKeys } from "./schema.ts";

/**
 * Renders `.env.example` from the schema: every key with its doc line,
 * choices, and default (commented out, so the file documents without
 * overriding). Secrets are listed with an empty value.
 */
export function renderEnvExample(): string {
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
  return lines.join("\n");
}
