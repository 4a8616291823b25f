import { validRange } from "semver";
import { LumiCliError } from "../errors/index.ts";
import { LUMI_DIR } from "../manifest/index.ts";
import { isRecord, readJsonFile } from "./source.ts";
import type { CheckConfig, ForbiddenDependency } from "./types.ts";

/** The check configuration, relative to the service root. */
export const CHECK_CONFIG_PATH = `${LUMI_DIR}/check.json`;

/** Where waivers are read from unless `.lumi/check.json` says otherwise. */
export const DEFAULT_WAIVERS_FILE = `${LUMI_DIR}/waivers.json`;

/** Forbidden unless `.lumi/check.json` replaces the list. */
export const DEFAULT_FORBIDDEN_DEPENDENCIES: readonly ForbiddenDependency[] = [
  {
    name: "request",
    range: "*",
    reason: "deprecated since 2020 and unpatched; use the global fetch",
  },
  {
    name: "moment",
    range: "*",
    reason:
      "in maintenance mode, its authors advise against new use; use Intl and Date, or date-fns",
  },
  {
    name: "node-fetch",
    range: "<3",
    reason: "Node 24 has fetch built in; v2 is CommonJS-only and gets no features",
  },
  {
    name: "express",
    range: "<5",
    reason: "the template runs Express 5; v4 routing and error handling differ",
  },
  {
    name: "lodash",
    range: "*",
    reason: "rarely needed on Node 24: the standard library covers most of it, at no install cost",
  },
];

/** The configuration a service gets without `.lumi/check.json`. */
export const DEFAULT_CHECK_CONFIG: CheckConfig = {
  maxReleasesBehind: 2,
  forbiddenDependencies: DEFAULT_FORBIDDEN_DEPENDENCIES,
  waiversFile: DEFAULT_WAIVERS_FILE,
  waiversFileExplicit: false,
};

const knownKeys = new Set(["$schema", "maxReleasesBehind", "forbiddenDependencies", "waiversFile"]);

/** Reads `.lumi/check.json` (optional); throws a state error naming what is wrong. */
export async function loadCheckConfig(dir: string): Promise<CheckConfig> {
  const json = await readJsonFile(dir, CHECK_CONFIG_PATH);
  return json === undefined ? DEFAULT_CHECK_CONFIG : parseCheckConfig(json.value);
}

/** Validates a parsed `.lumi/check.json` and applies the defaults. */
export function parseCheckConfig(value: unknown): CheckConfig {
  const fail = (what: string): never => {
    throw new LumiCliError("state", `${CHECK_CONFIG_PATH} is invalid: ${what}`);
  };
  if (!isRecord(value)) return fail("not an object");
  for (const key of Object.keys(value)) if (!knownKeys.has(key)) fail(`unknown key "${key}"`);
  const { maxReleasesBehind, forbiddenDependencies, waiversFile } = value;
  if (
    maxReleasesBehind !== undefined &&
    (typeof maxReleasesBehind !== "number" ||
      !Number.isInteger(maxReleasesBehind) ||
      maxReleasesBehind < 0)
  ) {
    fail("maxReleasesBehind must be a whole number >= 0");
  }
  if (waiversFile !== undefined && (typeof waiversFile !== "string" || waiversFile === "")) {
    fail("waiversFile must be a path relative to the service root");
  }
  if (forbiddenDependencies !== undefined && !Array.isArray(forbiddenDependencies)) {
    fail("forbiddenDependencies must be an array");
  }
  return {
    maxReleasesBehind: (maxReleasesBehind as number | undefined) ?? 2,
    forbiddenDependencies: Array.isArray(forbiddenDependencies)
      ? forbiddenDependencies.map((entry, index) => forbiddenEntry(entry, index, fail))
      : DEFAULT_FORBIDDEN_DEPENDENCIES,
    waiversFile: (waiversFile as string | undefined) ?? DEFAULT_WAIVERS_FILE,
    waiversFileExplicit: waiversFile !== undefined,
  };
}

function forbiddenEntry(
  entry: unknown,
  index: number,
  fail: (what: string) => never,
): ForbiddenDependency {
  const where = `forbiddenDependencies[${index}]`;
  if (!isRecord(entry)) return fail(`${where} must be an object`);
  const { name, range = "*", reason } = entry;
  if (typeof name !== "string" || name === "") fail(`${where}.name must be a package name`);
  if (typeof range !== "string" || validRange(range) === null) {
    fail(`${where}.range must be a semver range`);
  }
  if (typeof reason !== "string" || reason.trim() === "") fail(`${where}.reason is required`);
  return { name: name as string, range: range as string, reason: reason as string };
}
