import { matchesGlob } from "node:path";
import { LumiCliError } from "../errors/index.ts";
import type { Answers, OwnershipMode } from "../manifest/index.ts";

/** The name of the file describing how a template is stamped; never stamped itself. */
export const TEMPLATE_META_FILE = "lumi-template.json";

/** An ownership rule: files matching `glob` get `mode`. */
export interface OwnershipRule {
  readonly glob: string;
  readonly mode: OwnershipMode;
}

/** A literal text replacement applied to every stamped file and path. */
export interface Substitution {
  readonly find: string;
  /** The replacement; `{{placeholder}}`s are filled from the render variables. */
  readonly replace: string;
}

/** A part of the template that exists only for some answers. */
export interface Feature {
  /** The answers (all of them) under which the feature is on. */
  readonly when: Readonly<Partial<Record<keyof Answers, string | boolean>>>;
  /** Files that exist only when the feature is on. */
  readonly files: readonly string[];
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
  readonly scripts: readonly string[];
  /** Configuration keys (env names) that exist only when the feature is on. */
  readonly envKeys: readonly string[];
}

/** A file the template moved; `lumi upgrade` moves the service's copy with it. */
export interface Rename {
  readonly from: string;
  readonly to: string;
}

/** `lumi-template.json`: how a template is stamped. */
export interface TemplateMeta {
  /** The release the template belongs to; written when the CLI package is packed. */
  readonly version?: string;
  readonly exclude: readonly string[];
  /** package.json scripts that make sense only in the lumi repository. */
  readonly dropScripts: readonly string[];
  readonly ownership: readonly OwnershipRule[];
  readonly substitutions: readonly Substitution[];
  readonly features: Readonly<Record<string, Feature>>;
  readonly renames: readonly Rename[];
}

/** Parses and checks `lumi-template.json`. */
export function parseTemplateMeta(text: string): TemplateMeta {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new LumiCliError("state", `${TEMPLATE_META_FILE} is not valid JSON`, { cause: error });
  }
  const list = <T>(key: string): T[] => {
    const value = raw[key] ?? [];
    if (!Array.isArray(value)) {
      throw new LumiCliError("state", `${TEMPLATE_META_FILE}: ${key} must be a list`);
    }
    return value as T[];
  };
  const ownership = list<OwnershipRule>("ownership");
  for (const rule of ownership) {
    if (!["managed", "merged", "seeded"].includes(rule.mode)) {
      throw new LumiCliError("state", `${TEMPLATE_META_FILE}: bad mode for ${rule.glob}`);
    }
  }
  return {
    ...(typeof raw.version === "string" ? { version: raw.version } : {}),
    exclude: list<string>("exclude"),
    dropScripts: list<string>("dropScripts"),
    ownership,
    substitutions: list<Substitution>("substitutions"),
    features: (raw.features ?? {}) as Record<string, Feature>,
    renames: list<Rename>("renames"),
  };
}

/** Whether a POSIX relative path matches any of the globs. */
export function matchesAny(file: string, globs: readonly string[]): boolean {
  return globs.some((glob) => matchesGlob(file, glob));
}

/** The ownership mode of a stamped file: the first matching rule's, else seeded. */
export function ownershipOf(meta: TemplateMeta, file: string): OwnershipMode {
  return meta.ownership.find((rule) => matchesGlob(file, rule.glob))?.mode ?? "seeded";
}

/** Whether a feature is on for the given answers. */
export function featureEnabled(feature: Feature, answers: Answers): boolean {
  return Object.entries(feature.when).every(
    ([key, value]) => answers[key as keyof Answers] === value,
  );
}
