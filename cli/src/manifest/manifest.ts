import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { LumiCliError } from "../errors/index.ts";

/** Where a stamped service keeps what lumi knows about it. */
export const LUMI_DIR = ".lumi";
/** The manifest, relative to the service root. */
export const MANIFEST_PATH = `${LUMI_DIR}/manifest.json`;
/** Pristine renders of merged files (the merge base of the next upgrade), relative to the root. */
export const BASE_DIR = `${LUMI_DIR}/base`;

/**
 * Who owns a stamped file after `lumi new` (DESIGN.md, "ownership modes"):
 * managed files are replaced by `lumi upgrade`, merged files are merged three
 * ways against their pristine render, seeded files belong to the team.
 */
export const OwnershipMode = { managed: "managed", merged: "merged", seeded: "seeded" } as const;

/** One of {@link OwnershipMode}. */
export type OwnershipMode = (typeof OwnershipMode)[keyof typeof OwnershipMode];

/** The data store a service was stamped with. */
export type DataStore = "embedded" | "postgres";

/** The answers given to `lumi new`; everything a re-render of the template needs. */
export interface Answers {
  /** The service name: a DNS-1123 label. */
  readonly name: string;
  /** Whether the service has the Connect RPC listener and its code. */
  readonly rpc: boolean;
  /** The default data store: embedded (PGlite) or an external Postgres. */
  readonly database: DataStore;
  /** Whether the service uses Redis (second cache tier, shared rate limit). */
  readonly redis: boolean;
  /** The owning team for CODEOWNERS, e.g. `@acme/payments`. */
  readonly owner: string;
  /** The image registry prefix, e.g. `ghcr.io/acme`. */
  readonly registry: string;
  /** The Helm chart repository holding the shared lumi-service chart, e.g. `oci://ghcr.io/acme/charts`. */
  readonly chartRepository: string;
  /** The GitHub repository (owner/name) hosting lumi's reusable workflows. */
  readonly platformRepository: string;
}

/** What the manifest records for one stamped file. */
export interface ManifestFile {
  readonly mode: OwnershipMode;
  /** `sha256:<hex>` of the content lumi last wrote. */
  readonly hash: string;
}

/** What `lumi add` recorded. */
export interface GeneratedEntry {
  readonly generator: string;
  readonly name: string;
  readonly files: readonly string[];
  readonly templateVersion: string;
}

/** `.lumi/manifest.json`. */
export interface Manifest {
  readonly schema: 1;
  /** The template (= CLI) version the service was stamped from or last upgraded to. */
  readonly templateVersion: string;
  readonly answers: Answers;
  /** Every stamped file by path relative to the service root (POSIX separators), sorted. */
  readonly files: Readonly<Record<string, ManifestFile>>;
  readonly generated: readonly GeneratedEntry[];
}

/** The content hash the manifest records: `sha256:<hex>`. */
export function hashContent(content: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(content).digest("hex")}`;
}

/** Reads and validates the manifest of the service at `root`. */
export async function readManifest(root: string): Promise<Manifest> {
  const file = path.join(root, MANIFEST_PATH);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new LumiCliError(
      "state",
      `${MANIFEST_PATH} not found in ${root}: not a service stamped by lumi (run lumi new)`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LumiCliError("state", `${MANIFEST_PATH} is not valid JSON`, { cause: error });
  }
  return validateManifest(parsed);
}

/** Checks the shape of a parsed manifest; throws a state error naming what is wrong. */
export function validateManifest(value: unknown): Manifest {
  const fail = (what: string): never => {
    throw new LumiCliError("state", `${MANIFEST_PATH} is invalid: ${what}`);
  };
  if (typeof value !== "object" || value === null) return fail("not an object");
  const record = value as Record<string, unknown>;
  if (record.schema !== 1) fail(`unknown schema ${String(record.schema)}`);
  if (typeof record.templateVersion !== "string") fail("templateVersion missing");
  if (typeof record.answers !== "object" || record.answers === null) fail("answers missing");
  const files = record.files;
  if (typeof files !== "object" || files === null) return fail("files missing");
  for (const [name, entry] of Object.entries(files)) {
    const { mode, hash } = (entry ?? {}) as Record<string, unknown>;
    if (mode !== "managed" && mode !== "merged" && mode !== "seeded") fail(`${name}: bad mode`);
    if (typeof hash !== "string" || !hash.startsWith("sha256:")) fail(`${name}: bad hash`);
  }
  return { generated: [], ...record } as unknown as Manifest;
}

/** Serialises a manifest with sorted file entries, so re-writing it is stable. */
export function serializeManifest(manifest: Manifest): string {
  const files = Object.fromEntries(
    Object.keys(manifest.files)
      .sort()
      .map((name) => [name, manifest.files[name]]),
  );
  return `${JSON.stringify({ ...manifest, files }, null, 2)}\n`;
}

/** Writes the manifest of the service at `root`. */
export async function writeManifest(root: string, manifest: Manifest): Promise<void> {
  await mkdir(path.join(root, LUMI_DIR), { recursive: true });
  await writeFile(path.join(root, MANIFEST_PATH), serializeManifest(manifest));
}
