import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { cachedIsoTime, createLogger } from "./logger.ts";

function capture(redactPaths: readonly string[] = []) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = createLogger({
    level: "info",
    service: "svc",
    version: "1.0.0",
    environment: "test",
    destination,
    redactPaths,
  });
  return { logger, lines };
}

describe("createLogger", () => {
  it("when a line is written then it has the contract's base fields", () => {
    const { logger, lines } = capture();
    logger.info("hello");
    expect(lines[0]).toMatchObject({
      level: "info",
      msg: "hello",
      service: "svc",
      version: "1.0.0",
      env: "test",
    });
    expect(Number.isNaN(Date.parse(String(lines[0]?.time)))).toBe(false);
  });

  it("when secrets and emails are logged at the top level or one level down then they are redacted", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: "p",
        token: "t",
        email: "a@example.com",
        user: { email: "b@example.com", apiKey: "k", name: "kept" },
        req: { headers: { authorization: "Bearer x", cookie: "c=1", accept: "json" } },
      },
      "sensitive",
    );
    const line = lines[0] as Record<string, Record<string, unknown>>;
    expect(line.password).toBe("[REDACTED]");
    expect(line.token).toBe("[REDACTED]");
    expect(line.email).toBe("[REDACTED]");
    expect(line.user).toEqual({ email: "[REDACTED]", apiKey: "[REDACTED]", name: "kept" });
    expect(line.req).toEqual({
      headers: { authorization: "[REDACTED]", cookie: "[REDACTED]", accept: "json" },
    });
    expect(JSON.stringify(lines)).not.toMatch(/example\.com|Bearer x/);
  });

  it("when extra paths are configured then they are redacted too", () => {
    const { logger, lines } = capture(["customer.phone", "*.iban"]);
    logger.info({ customer: { phone: "+1 555", name: "n" }, payment: { iban: "DE00" } }, "extra");
    expect(lines[0]).toMatchObject({
      customer: { phone: "[REDACTED]", name: "n" },
      payment: { iban: "[REDACTED]" },
    });
  });
});

describe("cachedIsoTime", () => {
  it("when the clock moves then it writes what pino's isoTime writes, formatted once per millisecond", () => {
    const now = vi.spyOn(Date, "now");
    try {
      for (const ms of [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_001, 0]) {
        now.mockReturnValue(ms);
        expect(cachedIsoTime()).toBe(pino.stdTimeFunctions.isoTime());
      }
    } finally {
      now.mockRestore();
    }
  });
});

/**
 * Runs `script` in a child process with the logger module imported as
 * `createLogger`; resolves with each stdout chunk's arrival time and text,
 * and when the child exited.
 */
function runChild(
  script: string,
): Promise<{ chunks: { at: number; text: string }[]; exitAt: number }> {
  const loggerUrl = new URL("./logger.ts", import.meta.url).href;
  const source = `const { createLogger } = await import(${JSON.stringify(loggerUrl)});
const logger = createLogger({ level: "info", service: "svc", version: "1", environment: "test" });
${script}`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", source], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const chunks: { at: number; text: string }[] = [];
  child.stdout.on("data", (chunk) => chunks.push({ at: Date.now(), text: String(chunk) }));
  return new Promise((resolve) =>
    child.once("close", () => resolve({ chunks, exitAt: Date.now() })),
  );
}

describe("the stdout destination", () => {
  it("when the process exits then every line held is written", async () => {
    const { chunks } = await runChild(
      'for (let i = 0; i < 3; i += 1) logger.info({ i }, "held");\nprocess.exit(0);',
    );
    const lines = chunks.flatMap((c) => c.text.split("\n")).filter((l) => l !== "");
    expect(lines.map((line) => JSON.parse(line).i)).toEqual([0, 1, 2]);
  });

  it("when a line is held then it is written within the batch delay, not at exit", async () => {
    const { chunks, exitAt } = await runChild(
      'logger.info("early");\nsetTimeout(() => process.exit(0), 1500);',
    );
    expect(chunks[0]?.text).toContain('"msg":"early"');
    expect(exitAt - (chunks[0]?.at ?? exitAt)).toBeGreaterThan(1_000);
  });
});
