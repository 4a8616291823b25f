// lumi new in a terminal: the questions whose flags were not given are asked (plop prompts).
// The terminal is a pseudo-terminal made by util-linux `script`; without it the test is skipped.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const hasScript = spawnSync("script", ["--version"]).status === 0;
const work = mkdtempSync(path.join(tmpdir(), "lumi-tty-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command in a pseudo-terminal, answering each prompt when its text appears. */
function converse(command: string, answers: readonly [string, string][]): Promise<string> {
  const { CI: _ci, ...inherited } = process.env;
  const env = { ...inherited, NO_COLOR: "1" };
  const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], { env });
  let screen = "";
  let next = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    screen += chunk.toString();
    const pending = answers[next];
    if (pending !== undefined && screen.includes(pending[0])) {
      next++;
      child.stdin.write(`${pending[1]}\r`);
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no answer to prompt ${next}:\n${screen}`));
    }, 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(screen);
      else reject(new Error(`exit ${code}:\n${screen}`));
    });
  });
}

describe.runIf(hasScript)("lumi new in a terminal", () => {
  it("when flags are missing then it asks for them and stamps with the answers", async () => {
    const dir = path.join(work, "asked");
    await converse(`${process.execPath} ${cli} new asked-svc --directory ${dir} --no-git`, [
      ["Owning team", "@acme/asked"],
      ["Connect RPC listener?", "n"],
      ["Data store", ""],
      ["Redis", "n"],
      ["Image registry", "registry.acme.io"],
      ["Helm chart repository", ""],
    ]);
    const manifest = JSON.parse(readFileSync(path.join(dir, ".lumi/manifest.json"), "utf8"));
    expect(manifest.answers).toEqual({
      name: "asked-svc",
      rpc: false,
      database: "embedded",
      redis: false,
      owner: "@acme/asked",
      registry: "registry.acme.io",
      chartRepository: "oci://ghcr.io/acme/charts",
      platformRepository: "acme/lumi",
    });
  }, 90_000);

  it("when every answer is a flag then nothing is asked", async () => {
    const dir = path.join(work, "flagged");
    const screen = await converse(
      `${process.execPath} ${cli} new flagged-svc --directory ${dir} --no-git --owner @acme/f --rpc --redis --database embedded --registry r.io --chart-repository oci://r.io/c`,
      [],
    );
    for (const question of ["Owning team", "Connect RPC", "Data store", "Redis", "registry"]) {
      expect(screen).not.toContain(question);
    }
  }, 90_000);
});
