import { spawnSync } from "node:child_process";
import { LumiCliError } from "../errors/index.ts";

/** Runs git in `cwd`; returns stdout, or throws a tool error with git's message. */
export function git(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  if (result.error !== undefined || result.status !== 0) {
    const reason = result.error?.message ?? result.stderr.trim().split("\n").at(-1) ?? "";
    throw new LumiCliError("tool", `git ${args[0]} failed: ${reason}`, { cause: result.error });
  }
  return result.stdout;
}

/** Whether `cwd` is inside a git work tree. */
export function isGitRepository(cwd: string): boolean {
  const result = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], {
    cwd,
    encoding: "utf8",
  });
  return result.status === 0 && result.stdout.trim() === "true";
}

/** The paths git reports as changed or untracked under `cwd` (empty when clean). */
export function dirtyPaths(cwd: string): string[] {
  return git(cwd, ["status", "--porcelain", "--untracked-files=all", "--", "."])
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.slice(3));
}

/**
 * Initialises a repository on branch main and commits everything in it. When
 * no git identity is configured, the commit is authored as "lumi".
 */
export function initialCommit(cwd: string, message: string): void {
  git(cwd, ["init", "--quiet", "--initial-branch=main"]);
  git(cwd, ["add", "--all"]);
  const hasIdentity = spawnSync("git", ["config", "user.email"], { cwd }).status === 0;
  const identity = hasIdentity
    ? {}
    : {
        GIT_AUTHOR_NAME: "lumi",
        GIT_AUTHOR_EMAIL: "lumi@localhost",
        GIT_COMMITTER_NAME: "lumi",
        GIT_COMMITTER_EMAIL: "lumi@localhost",
      };
  git(cwd, ["commit", "--quiet", "--no-verify", "-m", message], identity);
}
