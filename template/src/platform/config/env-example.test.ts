import { describe, expect, it } from "vitest";
import { renderEnvExample } from "./env-example.ts";
import { configSchema, secretKeys } from "./schema.ts";

interface Spec {
  readonly desc?: string;
  readonly default?: unknown;
  readonly choices?: readonly unknown[];
  readonly example?: string;
}

const specs = Object.entries(configSchema) as [keyof typeof configSchema, Spec][];

function shown(value: unknown): string {
  return Array.isArray(value) ? value.join(",") : String(value);
}

describe("renderEnvExample", () => {
  const lines = renderEnvExample().split("\n");

  it("when rendered then every key appears exactly once as a commented default", () => {
    for (const [key, spec] of specs) {
      const mentions = lines.filter((line) => line.startsWith(`# ${key}=`) || line.startsWith(key));
      expect(mentions, key).toEqual([`# ${key}=${shown(spec.default)}`]);
    }
  });

  it("when rendered then no line sets a value (every assignment is commented out)", () => {
    expect(lines.filter((line) => line !== "" && !line.startsWith("#"))).toEqual([]);
  });

  it("when rendered then list and number defaults are written plainly", () => {
    expect(lines).toContain("# TRUSTED_PROXIES=");
    expect(lines).toContain("# HTTP_PORT=8080");
    expect(lines).toContain("# RATE_LIMIT_ENABLED=true");
  });

  it("when rendered then each key's doc line comes first in its block", () => {
    for (const [key, spec] of specs) {
      const at = lines.indexOf(`# ${key}=${shown(spec.default)}`);
      const blockStart = lines.lastIndexOf("", at) + 1;
      expect(lines[blockStart], key).toBe(`# ${spec.desc}`);
    }
  });

  it("when a key has choices or an example then they are listed in its block", () => {
    const text = renderEnvExample();
    expect(text).toContain(
      "# Lowest log level written.\n# One of: fatal, error, warn, info, debug, trace, silent.\n# LOG_LEVEL=info\n",
    );
    expect(text).toContain("# Example: loopback,10.0.0.0/8\n# TRUSTED_PROXIES=\n");
  });

  it("when a key is secret then its block is marked and no other is", () => {
    const marker = "# Secret: never commit a value.";
    expect(lines.filter((line) => line === marker)).toHaveLength(secretKeys.size);
    for (const key of secretKeys) {
      const at = lines.indexOf(`# ${key}=`);
      expect(lines[at - 1], key).toBe(marker);
    }
  });

  it("when rendered then the header comes first and the text ends with a newline", () => {
    expect(lines[0]).toBe(
      "# Generated from src/platform/config/schema.ts by `npm run config:env-example`; do not edit.",
    );
    expect(renderEnvExample().endsWith("# PROFILING_TOKEN=\n")).toBe(true);
  });
});
