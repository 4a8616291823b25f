// `npm run seed` against the golden service started in this process on free ports.
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { exampleItems, SeedError, seed } from "../scripts/seed.ts";
import { startService, type TestService } from "../template/test/harness.ts";

const seedScript = fileURLToPath(new URL("../scripts/seed.ts", import.meta.url));
const run = promisify(execFile);

/** Runs `node scripts/seed.ts` as `npm run seed` does; resolves with its exit code and output. */
async function runSeed(baseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [seedScript], {
      env: { PATH: process.env.PATH ?? "", SEED_BASE_URL: baseUrl },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function listAll(baseUrl: string): Promise<{ name: string; tags: string[] }[]> {
  const items: { name: string; tags: string[] }[] = [];
  let pageToken = "";
  do {
    const response = await fetch(`${baseUrl}/v1/items?pageSize=100&pageToken=${pageToken}`);
    const page = (await response.json()) as { items: typeof items; nextPageToken: string };
    items.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return items;
}

describe("npm run seed", () => {
  let running: TestService | undefined;
  const start = async () => {
    running = await startService({ RATE_LIMIT_ENABLED: "false", LOG_LEVEL: "warn" });
    return running.httpUrl;
  };
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it("when the examples are checked then there are about 25 with distinct names and varied tags", () => {
    expect(exampleItems.length).toBeGreaterThanOrEqual(20);
    expect(new Set(exampleItems.map((item) => item.name)).size).toBe(exampleItems.length);
    expect(new Set(exampleItems.flatMap((item) => item.tags ?? [])).size).toBeGreaterThan(10);
  });

  it("when run twice against a running service then the second run creates nothing", async () => {
    const baseUrl = await start();

    const first = await runSeed(baseUrl);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(
      `seed: ${exampleItems.length} item(s) created, 0 already present, on ${baseUrl}\n`,
    );
    const second = await runSeed(baseUrl);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(
      `seed: 0 item(s) created, ${exampleItems.length} already present, on ${baseUrl}\n`,
    );

    const items = await listAll(baseUrl);
    expect(items.map((item) => item.name).sort()).toEqual(
      exampleItems.map((item) => item.name).sort(),
    );
  });

  it("when an example already exists beyond the first page then it is skipped", async () => {
    const baseUrl = await start();
    const [already] = exampleItems;
    const names = [...Array.from({ length: 120 }, (_, i) => `other item ${i}`), already?.name];
    for (const name of names) {
      const response = await fetch(`${baseUrl}/v1/items`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
      expect(response.status).toBe(201);
    }

    const result = await seed(`${baseUrl}/`);
    expect(result).toEqual({ baseUrl, created: exampleItems.length - 1, skipped: 1 });
    expect(await listAll(baseUrl)).toHaveLength(120 + exampleItems.length);
  });

  it("when the service refuses an item then the seed fails naming the problem", async () => {
    const baseUrl = await start();
    const failure = seed(baseUrl, {
      items: [{ name: "valid" }, { name: "bad", tags: ["Not OK"] }],
    });
    await expect(failure).rejects.toThrow(SeedError);
    await expect(failure).rejects.toThrow(
      /POST \/v1\/items "bad" on .* answered 400 Bad Request \(VALIDATION_FAILED: .*\) \(1 item\(s\) created before this failure\)/,
    );
  });

  it("when the service is not reachable then it exits 1 with a clear message", async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    const result = await runSeed(baseUrl);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`seed: cannot reach the service at ${baseUrl} (`);
    expect(result.stderr).toContain("ECONNREFUSED");
    expect(result.stderr).toContain("SEED_BASE_URL");
  });
});
