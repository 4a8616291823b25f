import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";
import type { CheckOptions, CheckReport, RuleOutcome } from "../src/check/index.ts";
import { runCheck } from "../src/check/index.ts";
import {
  hashContent,
  MANIFEST_PATH,
  type Manifest,
  type OwnershipMode,
  writeManifest,
} from "../src/manifest/index.ts";

/** The repository root (the real template and docs live there). */
export const repoRoot = path.resolve(import.meta.dirname, "../..");

const values = (requests: string, limit: string) =>
  `resources:\n  requests:\n    cpu: ${requests}\n    memory: 128Mi\n  limits:\n    memory: ${limit}\n`;

/** The files of a minimal service that passes every `lumi check` rule. */
export const minimalServiceFiles: Readonly<Record<string, string>> = {
  "package.json": `${JSON.stringify(
    {
      name: "payments",
      type: "module",
      engines: { node: ">=24" },
      dependencies: { express: "^5.1.0" },
      devDependencies: { vitest: "^3.2.0" },
    },
    null,
    2,
  )}\n`,
  "README.md": "# payments\n",
  CODEOWNERS: "# Owners of every file\n* @acme/payments\n",
  "SECURITY.md": "# Security\n\nReport vulnerabilities to security@example.com.\n",
  "docs/adr/README.md": "# Architecture decisions\n",
  "docs/configuration.md": "# Configuration\n\n- `LOG_LEVEL`: log level.\n- `HTTP_PORT`: port.\n",
  ".env.example":
    "# Lowest log level written.\n# LOG_LEVEL=info\n\n# Port of the HTTP listener.\n# HTTP_PORT=8080\n",
  "src/platform/config/schema.ts": [
    'import { str } from "envalid";',
    'import { portSchema } from "./ports.ts";',
    "",
    "export const configSchema = {",
    '  LOG_LEVEL: str({ default: "info", desc: "Lowest log level written." }),',
    "  ...portSchema,",
    "};",
    "",
  ].join("\n"),
  "src/platform/config/ports.ts":
    'import { port } from "envalid";\n\nexport const portSchema = {\n  HTTP_PORT: port({ default: 8080, desc: "Port." }),\n};\n',
  "deploy/values.yaml": `serviceName: payments\n${values("100m", "256Mi")}probes:\n  liveness:\n    periodSeconds: 10\n    timeoutSeconds: 2\n    failureThreshold: 3\n`,
  "deploy/values-dev.yaml": "environment: dev\n",
  "deploy/values-staging.yaml": "environment: staging\n",
  "deploy/values-prod.yaml": `environment: prod\n${values("250m", "512Mi")}`,
  ".github/workflows/ci.yml": "name: ci\non: [push]\njobs: {}\n",
};

/** The ownership mode the fixture's manifest records for a path. */
function modeOf(file: string): OwnershipMode {
  if (file.startsWith("src/platform/")) return "managed";
  return file.startsWith("deploy/values") ? "merged" : "seeded";
}

/** A service directory in a temporary folder, removed when the test ends. */
export interface ServiceFixture {
  readonly dir: string;
  /** Writes a file (the manifest hash is left as is: a managed file drifts). */
  write(file: string, content: string): Promise<void>;
  remove(file: string): Promise<void>;
  read(file: string): Promise<string>;
  /** Copies a file of this repository into the service. */
  copyFromRepo(from: string, to: string): Promise<void>;
  /** Records the current content of the given files (all tracked ones by default) in the manifest. */
  rehash(files?: readonly string[]): Promise<void>;
  /** Changes the manifest. */
  updateManifest(change: (manifest: Manifest) => Manifest): Promise<void>;
}

/** Creates a minimal valid service: every required file, values files and a manifest with correct hashes. */
export async function createServiceFixture(
  files: Readonly<Record<string, string | null>> = {},
): Promise<ServiceFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lumi-check-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const at = (file: string) => path.join(dir, file);
  const write = async (file: string, content: string) => {
    await mkdir(path.dirname(at(file)), { recursive: true });
    await writeFile(at(file), content);
  };
  const readManifestFile = async () =>
    JSON.parse(await readFile(at(MANIFEST_PATH), "utf8")) as Manifest;
  const fixture: ServiceFixture = {
    dir,
    write,
    remove: (file) => rm(at(file), { force: true }),
    read: (file) => readFile(at(file), "utf8"),
    async copyFromRepo(from, to) {
      await mkdir(path.dirname(at(to)), { recursive: true });
      await copyFile(path.join(repoRoot, from), at(to));
    },
    async rehash(only) {
      const manifest = await readManifestFile();
      const entries = Object.entries(manifest.files).filter(
        ([file]) => !only || only.includes(file),
      );
      const next = { ...manifest.files };
      for (const [file, entry] of entries) {
        next[file] = { ...entry, hash: hashContent(await readFile(at(file))) };
      }
      await writeManifest(dir, { ...manifest, files: next });
    },
    async updateManifest(change) {
      await writeManifest(dir, change(await readManifestFile()));
    },
  };
  const merged = { ...minimalServiceFiles, ...files };
  const tracked: Record<string, { mode: OwnershipMode; hash: string }> = {};
  for (const [file, content] of Object.entries(merged)) {
    if (content === null) continue;
    await write(file, content);
    tracked[file] = { mode: modeOf(file), hash: hashContent(content) };
  }
  await writeManifest(dir, {
    schema: 1,
    templateVersion: "0.0.3",
    answers: {
      name: "payments",
      rpc: false,
      database: "embedded",
      redis: false,
      owner: "@acme/payments",
      registry: "ghcr.io/acme",
      chartRepository: "oci://ghcr.io/acme/charts",
      platformRepository: "acme/lumi",
    },
    files: tracked,
    generated: [],
  });
  return fixture;
}

/** Template releases the fixture's CLI knows, oldest first; the CLI is 0.0.4. */
export const fixtureReleases = ["0.0.1", "0.0.2", "0.0.3", "0.0.4"] as const;

/** Runs `lumi check` on a fixture as CLI 0.0.4 on 2030-06-15. */
export function checkService(
  fixture: ServiceFixture,
  options: Partial<CheckOptions> = {},
): Promise<CheckReport> {
  return runCheck({
    dir: fixture.dir,
    cliVersion: "0.0.4",
    releases: fixtureReleases,
    now: new Date("2030-06-15T12:00:00Z"),
    ...options,
  });
}

/** The outcome of one rule in a report. */
export function outcomeOf(report: CheckReport, id: string): RuleOutcome {
  const outcome = report.rules.find((rule) => rule.id === id);
  if (outcome === undefined) throw new Error(`no rule ${id} in the report`);
  return outcome;
}
