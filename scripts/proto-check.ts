// Checks the Protobuf module in proto/: buf lint, buf breaking against the
// previous committed state, and drift between proto/ and the committed code in
// template/src/gen. Runs every step, then exits 1 when any of them failed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const PROTO_DIR = path.join(ROOT, "proto");
const GEN_DIR = path.join(ROOT, "template", "src", "gen");
const BIN_DIR = path.join(ROOT, "node_modules", ".bin");
// buf runs local plugins (protoc-gen-es) from PATH, so the repository's binaries come first.
const ENV = { ...process.env, PATH: `${BIN_DIR}${path.delimiter}${process.env.PATH ?? ""}` };

type Baseline = { label: string; commit: string } | { skip: string };

/** Runs node_modules/.bin/buf in proto/ with its output shown and returns its exit status. */
function buf(args: string[]): number {
  const result = spawnSync(path.join(BIN_DIR, "buf"), args, {
    cwd: PROTO_DIR,
    env: ENV,
    stdio: "inherit",
  });
  if (result.error) {
    console.error(`proto:check: cannot run buf (${result.error.message}); run \`npm install\`.`);
    process.exit(1);
  }
  return result.status ?? 1;
}

/** Runs git in the repository root and returns its trimmed output, or undefined if it fails. */
function git(args: string[]): string | undefined {
  const result = spawnSync("git", args, {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Resolves a revision to a commit id when that commit exists and contains proto/. */
function commitWithProto(rev: string): string | undefined {
  if (git(["cat-file", "-e", `${rev}:./proto`]) === undefined) return undefined;
  return git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
}

/** Lints proto/ with the rules in proto/buf.yaml. */
function lint(): boolean {
  console.log("proto:check: buf lint");
  return buf(["lint"]) === 0;
}

/** Picks the commit to check breaking changes against: HEAD with uncommitted proto/ changes, else HEAD~1. */
function baseline(): Baseline {
  if (git(["rev-parse", "--is-inside-work-tree"]) !== "true") {
    return { skip: "not a git work tree" };
  }
  if (git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]) === undefined) {
    return { skip: "the repository has no commits yet" };
  }
  const status = git(["status", "--porcelain", "--untracked-files=all", "--", "proto"]);
  if (status === undefined) return { skip: "`git status` failed" };
  const label = status === "" ? "HEAD~1" : "HEAD";
  const commit = commitWithProto(label);
  if (commit !== undefined) return { label, commit };
  if (label === "HEAD") return { skip: "proto/ is not in HEAD yet" };
  if (git(["rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"]) !== undefined) {
    return { skip: "HEAD~1 has no proto/ directory" };
  }
  if (git(["rev-parse", "--is-shallow-repository"]) === "true") {
    return { skip: "shallow clone without HEAD~1 (fetch with --depth=2 or more)" };
  }
  return { skip: "HEAD is the first commit" };
}

/** Runs buf breaking against proto/ as of the baseline commit, read from the local git repository. */
function breaking(): boolean {
  const base = baseline();
  if ("skip" in base) {
    console.log(`proto:check: breaking check skipped: ${base.skip}`);
    return true;
  }
  const gitDir = git(["rev-parse", "--path-format=absolute", "--git-common-dir"]) ?? "";
  const subdir = `${git(["rev-parse", "--show-prefix"]) ?? ""}proto`;
  const against = `${path.relative(PROTO_DIR, gitDir)}#ref=${base.commit},subdir=${subdir}`;
  console.log(`proto:check: buf breaking against ${base.label} (${base.commit.slice(0, 12)})`);
  const status = buf(["breaking", "--against", against]);
  // buf exits with 100 when it found violations, and with 1 when it could not run the check.
  if (status === 100) console.error(`proto:check: proto/ breaks compatibility with ${base.label}.`);
  return status === 0;
}

/** Lists the files below a directory as sorted paths relative to it; none if it does not exist. */
function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch {
    return [];
  }
}

/** Regenerates code into a temporary directory and compares it byte for byte with template/src/gen. */
function drift(): boolean {
  console.log("proto:check: codegen drift");
  const tmp = mkdtempSync(path.join(tmpdir(), "lumi-proto-check-"));
  try {
    // buf prepends --output to each plugin's `out` (../template/src/gen), mirroring the repository.
    if (buf(["generate", "--output", path.join(tmp, "proto")]) !== 0) return false;
    const fresh = path.join(tmp, path.relative(ROOT, GEN_DIR));
    const generated = listFiles(fresh);
    if (generated.length === 0) {
      console.error("proto:check: buf generate wrote nothing; proto/buf.gen.yaml must write to");
      console.error(`  ../${path.relative(ROOT, GEN_DIR)}, which this check compares against.`);
      return false;
    }
    const committed = listFiles(GEN_DIR);
    const differing = [...new Set([...generated, ...committed])].sort().filter((file) => {
      if (!generated.includes(file) || !committed.includes(file)) return true;
      return !readFileSync(path.join(fresh, file)).equals(readFileSync(path.join(GEN_DIR, file)));
    });
    if (differing.length === 0) return true;
    console.error("proto:check: generated code is out of date with proto/:");
    for (const file of differing) {
      const state = !committed.includes(file)
        ? "missing"
        : !generated.includes(file)
          ? "obsolete"
          : "differs";
      console.error(`  ${state}: ${path.relative(ROOT, path.join(GEN_DIR, file))}`);
    }
    console.error("Run `npm run codegen` and commit the result.");
    return false;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const failed = Object.entries({ lint, breaking, drift })
  .filter(([, step]) => !step())
  .map(([name]) => name);
if (failed.length > 0) {
  console.error(`proto:check: failed: ${failed.join(", ")}`);
  process.exit(1);
}
