// Assembles the container build context of the golden service from the template workspace:
//
//   node scripts/image-context.ts <out-dir>      (npm run image:context -- <out-dir>)
//   docker build <out-dir>
//
// template/Dockerfile is written for the layout of a stamped service: a service root with its own
// package.json and package-lock.json. In this repository the template is an npm workspace, whose
// dependencies are locked in the root package-lock.json, so the build context is made here: the
// template's files, a package.json that also names the build tools the workspace takes from the
// root (TypeScript, Node.js types), and a package-lock.json pruned from the root lock by npm
// itself, offline. Every locked version must be the one the repository tests with; the script
// fails otherwise.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const TEMPLATE = path.join(ROOT, "template");

/** Build tools the template's `build` script uses but that the monorepo installs at the root. */
export const BUILD_TOOLS = ["typescript", "@types/node"] as const;

/** Development tools the image's build keeps: the build tools above and the template's bundler. */
const KEPT_TOOLS: ReadonlySet<string> = new Set([...BUILD_TOOLS, "esbuild"]);

/** Files of the template, besides src/, that the Dockerfile needs or that describe the build. */
const FILES = [
  "Dockerfile",
  ".dockerignore",
  "tsconfig.json",
  "tsconfig.build.json",
  "scripts/bundle.ts",
];

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface PackageLock {
  packages: Record<string, { version?: string; link?: boolean }>;
}

/**
 * Returns the package.json the image is built from: the template's dependencies, and of its
 * development tools only what the build needs (TypeScript, the bundler and type packages; the linter, the
 * test runner, buf and the pinned Node are for developers), taking missing build tools from the
 * monorepo root at the root's version ranges.
 */
export function standalonePackageJson(template: PackageJson, root: PackageJson): PackageJson {
  const devDependencies = Object.fromEntries(
    Object.entries(template.devDependencies ?? {}).filter(
      ([name]) => name.startsWith("@types/") || KEPT_TOOLS.has(name),
    ),
  );
  for (const tool of BUILD_TOOLS) {
    const range = root.devDependencies?.[tool];
    if (devDependencies[tool] === undefined && template.dependencies?.[tool] === undefined) {
      if (range === undefined) throw new Error(`the root package.json does not list ${tool}`);
      devDependencies[tool] = range;
    }
  }
  const sorted = Object.fromEntries(
    Object.entries(devDependencies).sort(([a], [b]) => a.localeCompare(b)),
  );
  return { ...template, devDependencies: sorted };
}

/** The package name of a lock file key: the part after the last `node_modules/`. */
const packageName = (key: string) =>
  key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);

/**
 * Lists the `name@version` packages of `lock` that `base` does not lock anywhere. Paths may
 * differ (a package nested under the workspace in the root lock is hoisted when standalone);
 * versions may not.
 */
export function lockDrift(lock: PackageLock, base: PackageLock): string[] {
  const known = new Set(
    Object.entries(base.packages)
      .filter(([key, entry]) => key.includes("node_modules/") && !entry.link)
      .map(([key, entry]) => `${packageName(key)}@${entry.version}`),
  );
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key.includes("node_modules/") && !entry.link)
    .map(([key, entry]) => `${packageName(key)}@${entry.version}`)
    .filter((id) => !known.has(id));
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

/** Copies src/ without unit tests, which the image never contains. */
function copySources(from: string, to: string): void {
  cpSync(from, to, {
    recursive: true,
    filter: (source) => !source.endsWith(".test.ts") && !source.includes("__snapshots__"),
  });
}

/** Writes the build context into `outDir` (which must be empty or absent). */
export function writeImageContext(outDir: string): void {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new Error(`${outDir} is not empty`);
  }
  mkdirSync(outDir, { recursive: true });
  for (const file of FILES) {
    mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
    cpSync(path.join(TEMPLATE, file), path.join(outDir, file));
  }
  copySources(path.join(TEMPLATE, "src"), path.join(outDir, "src"));
  cpSync(path.join(TEMPLATE, "migrations"), path.join(outDir, "migrations"), { recursive: true });

  const pkg = standalonePackageJson(
    readJson<PackageJson>(path.join(TEMPLATE, "package.json")),
    readJson<PackageJson>(path.join(ROOT, "package.json")),
  );
  writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);

  // Starting from the root lock, npm keeps every locked version that satisfies the standalone
  // package.json and drops the rest: the result is the root's resolution, pruned.
  const rootLock = readJson<PackageLock>(path.join(ROOT, "package-lock.json"));
  cpSync(path.join(ROOT, "package-lock.json"), path.join(outDir, "package-lock.json"));
  const npm = spawnSync(
    "npm",
    ["install", "--package-lock-only", "--ignore-scripts", "--offline", "--no-audit", "--no-fund"],
    { cwd: outDir, encoding: "utf8" },
  );
  if (npm.status !== 0) {
    throw new Error(`npm could not prune the lock file:\n${npm.stderr || npm.error?.message}`);
  }
  const drift = lockDrift(readJson<PackageLock>(path.join(outDir, "package-lock.json")), rootLock);
  if (drift.length > 0) {
    throw new Error(
      `the pruned lock file has versions the root lock file does not:\n  ${drift.join("\n  ")}\nRun \`npm install\` at the repository root first.`,
    );
  }
}

if (import.meta.main) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error("usage: node scripts/image-context.ts <out-dir>");
    process.exit(2);
  }
  try {
    writeImageContext(path.resolve(outDir));
    console.log(`image:context: wrote ${outDir}; build it with \`docker build ${outDir}\``);
  } catch (error) {
    console.error(`image:context: ${(error as Error).message}`);
    process.exit(1);
  }
}
