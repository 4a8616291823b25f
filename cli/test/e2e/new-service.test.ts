// End to end, as a team meets lumi: the CLI packed with `npm pack`, run with `npx` from an empty
// directory outside this repository, stamps a service; the service installs on its own, type-checks,
// passes its own tests, starts and answers on every listener, and `lumi check` passes on it.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, run, tail, waitFor200 } from "./support.ts";

const cliDir = fileURLToPath(new URL("../../", import.meta.url));
const version = (
  JSON.parse(readFileSync(path.join(cliDir, "package.json"), "utf8")) as {
    version: string;
  }
).version;
const tarballName = `lumi-${version}.tgz`;
const env = { ...process.env, CI: "true", NO_COLOR: "1" };

let packDir = "";

beforeAll(async () => {
  packDir = mkdtempSync(path.join(tmpdir(), "lumi-pack-"));
  const packed = await run("npm", ["pack", "--pack-destination", packDir], { cwd: cliDir, env });
  expect(packed.code, tail(packed)).toBe(0);
  expect(existsSync(path.join(packDir, tarballName))).toBe(true);
}, 300_000);

afterAll(() => {
  if (packDir !== "") rmSync(packDir, { recursive: true, force: true });
});

const variants = [
  { name: "orders-api", flags: ["--rpc", "--redis", "--database", "embedded"], rpc: true },
  { name: "ledger-api", flags: ["--no-rpc", "--no-redis"], rpc: false },
];

describe.each(variants)("npx lumi new $name $flags", ({ name, flags, rpc }) => {
  const work = mkdtempSync(path.join(tmpdir(), "lumi-e2e-"));
  const service = path.join(work, name);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("when stamped from the packed CLI then the service installs, type-checks, passes its tests and lumi check", async () => {
    copyFileSync(path.join(packDir, tarballName), path.join(work, tarballName));
    // As the docs say: npx with the tarball's relative path (./ from work, ../ from the service).
    const npx = (args: string[], cwd: string) =>
      run("npx", ["--yes", `${path.relative(cwd, work) || "."}/${tarballName}`, ...args], {
        cwd,
        env,
      });

    const stamped = await npx(["new", name, "--owner", "@acme/orders", "--yes", ...flags], work);
    expect(stamped.code, tail(stamped)).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(service, ".lumi/manifest.json"), "utf8"));
    expect(manifest.templateVersion).toBe(version);
    expect(manifest.answers).toMatchObject({ name, rpc });
    expect(existsSync(path.join(service, "proto"))).toBe(rpc);

    for (const step of [["install", "--no-audit", "--no-fund"], ["run", "typecheck"], ["test"]]) {
      const result = await run("npm", step, { cwd: service, env });
      expect(result.code, `npm ${step.join(" ")}\n${tail(result)}`).toBe(0);
    }

    const checked = await npx(["check"], service);
    expect(checked.code, tail(checked)).toBe(0);
  }, 1_200_000);

  it("when started then it answers /healthz, /readyz, an HTTP route and an RPC call, and stops on SIGTERM", async () => {
    const ports = { http: await freePort(), rpc: await freePort(), ops: await freePort() };
    const child = spawn(
      process.execPath,
      ["--import", "./src/platform/telemetry/register.ts", "src/main.ts"],
      {
        cwd: service,
        env: {
          ...env,
          NODE_ENV: "development",
          AUTH_DISABLE_FOR_DEVELOPMENT: "true",
          HTTP_PORT: String(ports.http),
          RPC_PORT: String(ports.rpc),
          OPS_PORT: String(ports.ops),
          SHUTDOWN_DRAIN_DELAY_MS: "0",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let logs = "";
    child.stdout.on("data", (chunk: Buffer) => {
      logs += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      logs += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await waitFor200(`http://127.0.0.1:${ports.ops}/readyz`, 60_000).catch((error) => {
        throw new Error(`${error}\n${logs}`);
      });
      expect((await fetch(`http://127.0.0.1:${ports.ops}/healthz`)).status).toBe(200);
      const items = await fetch(`http://127.0.0.1:${ports.http}/v1/items`);
      expect(items.status).toBe(200);
      expect(await items.json()).toHaveProperty("items");
      if (rpc) {
        const proto = name.replaceAll("-", "_");
        const call = await fetch(
          `http://127.0.0.1:${ports.rpc}/${proto}.v1.ItemService/ListItems`,
          { method: "POST", headers: { "content-type": "application/json" }, body: "{}" },
        );
        expect(call.status, await call.clone().text()).toBe(200);
      } else {
        await expect(fetch(`http://127.0.0.1:${ports.rpc}/`)).rejects.toThrow();
      }
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited, logs).toBe(0);
  }, 120_000);
});
