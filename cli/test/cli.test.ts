import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { hashContent } from "../src/manifest/index.ts";
import { run } from "./e2e/support.ts";

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const version = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
const work = mkdtempSync(path.join(tmpdir(), "lumi-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// stdin is a pipe, so the CLI sees no terminal, as in CI.
const lumi = (...args: string[]) =>
  run(process.execPath, [cli, ...args], { cwd: work, env: { ...process.env, NO_COLOR: "1" } });

describe("the lumi command line", () => {
  it("when asked for its version or help then it answers and exits 0", async () => {
    const versionRun = await lumi("--version");
    expect(versionRun).toMatchObject({ code: 0, stdout: `${version}\n` });
    for (const command of [[], ["new"], ["upgrade"], ["check"]]) {
      const help = await lumi(...command, "--help");
      expect(help.code, command.join(" ")).toBe(0);
      expect(help.stdout).toContain("Usage: lumi");
    }
  });

  it("when the command line is wrong then it exits 2 with one clear line", async () => {
    const unknown = await lumi("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command");
    const badFlag = await lumi("new", "svc", "--owner", "@a/b", "--colour");
    expect(badFlag.code).toBe(2);
    const badName = await lumi("new", "Bad_Name", "--owner", "@a/b");
    expect(badName.code).toBe(2);
    expect(badName.stderr.trim().split("\n")).toHaveLength(1);
    expect(badName.stderr).toContain('invalid name "Bad_Name"');
  });

  it("when a required answer is missing without a terminal then it is a usage error, not a prompt", async () => {
    const started = Date.now();
    const missing = await lumi("new", "svc");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing --owner");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("when the target directory is not empty then it refuses", async () => {
    mkdirSync(path.join(work, "taken"));
    writeFileSync(path.join(work, "taken", "file"), "x");
    const result = await lumi("new", "taken", "--owner", "@a/b");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("not empty");
  });

  it("when --dry-run --json then it lists the files as JSON on stdout and writes nothing", async () => {
    const result = await lumi("new", "dry-svc", "--owner", "@acme/dry", "--dry-run", "--json");
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ dryRun: true, templateVersion: version });
    expect(report.files).toContainEqual({ path: "src/service.ts", mode: "merged" });
    expect(existsSync(path.join(work, "dry-svc"))).toBe(false);
  });

  it("when a service is stamped then the manifest holds every file's mode and hash, merged files have a base, and git has the first commit", async () => {
    const result = await lumi("new", "stamped-svc", "--owner", "@acme/stamp", "--json");
    expect(result.code, result.stderr).toBe(0);
    const root = path.join(work, "stamped-svc");
    const manifest = JSON.parse(readFileSync(path.join(root, ".lumi/manifest.json"), "utf8"));
    expect(manifest.answers).toMatchObject({ name: "stamped-svc", owner: "@acme/stamp" });
    const entries = Object.entries(manifest.files) as [string, { mode: string; hash: string }][];
    expect(entries.length).toBeGreaterThan(100);
    for (const [name, entry] of entries) {
      expect(entry.hash, name).toBe(hashContent(readFileSync(path.join(root, name))));
      if (entry.mode === "merged")
        expect(existsSync(path.join(root, ".lumi/base", name))).toBe(true);
    }
    expect(readFileSync(path.join(root, "CODEOWNERS"), "utf8")).toContain("* @acme/stamp");
    expect(readFileSync(path.join(root, "package.json"), "utf8")).toContain(
      '"name": "stamped-svc"',
    );
    expect(existsSync(path.join(root, "src/gen/stamped_svc/v1/items_pb.ts"))).toBe(true);
    const log = await run("git", ["log", "--oneline"], { cwd: root });
    expect(log.stdout).toContain(`Stamp stamped-svc from the lumi template ${version}`);
    const check = await lumi("check", "--directory", root);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  }, 60_000);

  it("when interrupted then it exits 130", async () => {
    const child = spawn(
      process.execPath,
      [cli, "new", "interrupted", "--owner", "@a/b", "--no-git"],
      {
        cwd: work,
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    await new Promise<void>((resolve) =>
      child.stderr.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("stamping")) resolve();
      }),
    );
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(130);
  }, 30_000);
});
