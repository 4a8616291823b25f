import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { spawnService } from "./harness.ts";

const templateDir = fileURLToPath(new URL("..", import.meta.url));
const distDir = fileURLToPath(new URL("../dist", import.meta.url));

afterAll(() => rmSync(distDir, { recursive: true, force: true }));

describe("the production build", () => {
  it("when the sources are compiled to dist then the compiled service starts, answers and drains", async () => {
    rmSync(distDir, { recursive: true, force: true });
    const tsc = join(
      dirname(createRequire(import.meta.url).resolve("typescript/package.json")),
      "bin/tsc",
    );
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
      cwd: templateDir,
      stdio: "pipe",
    });

    const svc = await spawnService({}, `${distDir}/main.js`);
    expect((await fetch(`${svc.opsUrl}/readyz`)).status).toBe(200);
    const created = await fetch(`${svc.httpUrl}/v1/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "built" }),
    });
    expect(created.status).toBe(201);
    const rpc = await fetch(`${svc.rpcUrl}/lumi.template.v1.ItemService/ListItems`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(((await rpc.json()) as { items: unknown[] }).items).toHaveLength(1);
    svc.child.kill("SIGTERM");
    expect((await svc.exited).code).toBe(0);
  });
});
