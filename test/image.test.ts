// The container image without a Docker engine: scripts/image-context.ts assembles the build
// context from the template workspace, and the Dockerfile's own steps are then replayed in
// directories standing for its stages (COPY, RUN, ENV, USER, ENTRYPOINT; the base images are the
// only part not exercised). The replayed runtime starts as the image's user on a read-only
// application directory, answers on its ports and drains on SIGTERM with exit 0.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TOOLS, lockDrift, writeImageContext } from "../scripts/image-context.ts";
import { execFormOf, flagsOf, parseDockerfile, propertiesOf, stagesOf } from "./dockerfile.ts";

const root = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "lumi-image-"));
// The replayed runtime runs as the image's user, who must be able to reach the stages.
chmodSync(work, 0o755);
const context = join(work, "context");
const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));

afterAll(() => {
  spawnSync("chmod", ["-R", "u+w", work]);
  rmSync(work, { recursive: true, force: true });
});

describe("the image build context", () => {
  beforeAll(() => writeImageContext(context), 60_000);

  it("when it is assembled then it is a standalone service root with what the Dockerfile copies", () => {
    expect(readdirSync(context).sort()).toEqual(
      [
        ".dockerignore",
        "Dockerfile",
        "migrations",
        "package-lock.json",
        "package.json",
        "scripts",
        "src",
        "tsconfig.build.json",
        "tsconfig.json",
      ].sort(),
    );
    const files = readdirSync(join(context, "src"), { recursive: true }).map(String);
    expect(files.some((file) => file.endsWith(".test.ts"))).toBe(false);
    expect(files).toContain("main.ts");
  });

  it("when the template leans on the root for build tools then the context's package.json names them", () => {
    const pkg = readJson(join(context, "package.json"));
    const rootPkg = readJson(join(root, "package.json"));
    for (const tool of BUILD_TOOLS) {
      expect(pkg.devDependencies[tool] ?? pkg.dependencies[tool]).toBe(
        rootPkg.devDependencies[tool],
      );
    }
    expect(pkg.dependencies).toEqual(readJson(join(root, "template", "package.json")).dependencies);
  });

  it("when the lock is pruned then it holds the repository's versions and no root-only package", () => {
    const lock = readJson(join(context, "package-lock.json"));
    expect(lockDrift(lock, readJson(join(root, "package-lock.json")))).toEqual([]);
    expect(lock.packages[""].name).toBe("@lumi/template");
    expect(Object.keys(lock.packages).some((key) => key.includes("@biomejs"))).toBe(false);
    expect(Object.keys(lock.packages).some((key) => key.includes("lambda-layer-kubectl"))).toBe(
      false,
    );
  });
});

/** Finds a free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the Dockerfile's steps, replayed", () => {
  const stageDirs = new Map<string, string>();
  let runtimeDir = "";
  let child: ChildProcess | undefined;
  const dockerfile = parseDockerfile(readFileSync(join(root, "template", "Dockerfile"), "utf8"));
  const stages = stagesOf(dockerfile);
  const pinnedNode = dirname(process.execPath);

  afterAll(() => {
    child?.kill("SIGKILL");
  });

  beforeAll(() => {
    if (!existsSync(context)) writeImageContext(context);
    for (const [index, stage] of stages.entries()) {
      const dir = join(work, "stages", stage.name ?? String(index));
      let cwd = dir;
      mkdirSync(dir, { recursive: true });
      for (const instruction of stage.instructions) {
        const keyword = instruction.getKeyword();
        const args = (instruction.getArgumentsContent() ?? "").split(/\s+/);
        if (keyword === "WORKDIR") {
          cwd = join(dir, args[0] ?? "");
          mkdirSync(cwd, { recursive: true });
        } else if (keyword === "COPY") {
          const from = flagsOf(instruction).get("from");
          const destination = args.at(-1) ?? ".";
          for (const source of args.slice(0, -1)) {
            const origin = from ? join(stageDirs.get(from) ?? "", source) : join(context, source);
            const target = destination.endsWith("/")
              ? join(cwd, destination, source.split("/").at(-1) ?? "")
              : join(cwd, destination);
            cpSync(origin, target, { recursive: true });
          }
        } else if (keyword === "RUN") {
          // The cache mount only speeds up the real build; npm's own cache plays its part here.
          const command = instruction.getArgumentsContent() ?? "";
          const result = spawnSync("sh", ["-c", command], {
            cwd,
            encoding: "utf8",
            env: {
              ...process.env,
              PATH: `${pinnedNode}:${process.env.PATH}`,
              npm_config_prefer_offline: "true",
            },
          });
          if (result.status !== 0) {
            throw new Error(
              `RUN ${command} failed in stage ${stage.name}:\n${result.stdout}${result.stderr}`,
            );
          }
        }
      }
      stageDirs.set(stage.name ?? String(index), dir);
      runtimeDir = cwd;
    }
  }, 300_000);

  it("when the build stage has run then dist holds the entry point and the tracing preload", () => {
    expect(existsSync(join(runtimeDir, "dist", "main.js"))).toBe(true);
    expect(existsSync(join(runtimeDir, "dist", "register.js"))).toBe(true);
    expect(existsSync(join(runtimeDir, "dist", "migrate.js"))).toBe(true);
    expect(existsSync(join(runtimeDir, "src"))).toBe(false);
  });

  it("when the runtime stage is assembled then it has production dependencies only", () => {
    const modules = readdirSync(join(runtimeDir, "node_modules"));
    expect(modules).toContain("express");
    // typescript is the template's build tool (a devDependency here), never a runtime one.
    expect(modules).not.toContain("typescript");
    expect(existsSync(join(runtimeDir, "node_modules", ".bin", "tsc"))).toBe(false);
  });

  it("when the entry point runs as the image's user on a read-only app then it serves and drains on SIGTERM", async () => {
    const runtime = stages.at(-1);
    const instructions = runtime?.instructions ?? [];
    const args = new Map(
      instructions.filter((i) => i.getKeyword() === "ARG").flatMap((i) => [...propertiesOf(i)]),
    );
    const env: Record<string, string> = {};
    for (const instruction of instructions.filter((i) => i.getKeyword() === "ENV")) {
      for (const [key, value] of propertiesOf(instruction)) {
        env[key] = value.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? "");
      }
    }
    const argv =
      execFormOf(instructions.find((i) => i.getKeyword() === "ENTRYPOINT") as never) ?? [];
    const [uid, gid] = (
      instructions
        .filter((i) => i.getKeyword() === "USER")
        .at(-1)
        ?.getArgumentsContent() ?? ""
    ).split(":");
    const tmp = join(work, "tmp");
    mkdirSync(tmp, { mode: 0o1777 });
    chmodSync(tmp, 0o1777);
    env.TMPDIR = tmp;
    const ports = {
      HTTP_PORT: await freePort(),
      RPC_PORT: await freePort(),
      OPS_PORT: await freePort(),
    };
    // The application is not writable by the service, as in the image (files owned by root).
    spawnSync("chmod", ["-R", "a-w", runtimeDir]);
    const asImageUser =
      process.getuid?.() === 0 && spawnSync("setpriv", ["--version"]).status === 0
        ? ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups"]
        : [];
    const command = [...asImageUser, process.execPath, ...argv.slice(1)];
    child = spawn(command[0] as string, command.slice(1), {
      cwd: runtimeDir,
      env: {
        PATH: process.env.PATH ?? "",
        ...env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) =>
      child?.on("exit", (code) => resolve(code)),
    );

    let ready = false;
    for (let attempt = 0; attempt < 100 && !ready; attempt++) {
      ready = await fetch(`http://127.0.0.1:${ports.OPS_PORT}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready, output).toBe(true);
    expect((await fetch(`http://127.0.0.1:${ports.OPS_PORT}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.HTTP_PORT}/v1/items`)).status).toBe(401);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.OPS_PORT}/metrics`)).text();
    expect(metrics).toMatch(/lumi_build_info\{[^}]*\}/);
    expect(output).toMatch(/"env":"local"/);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toMatch(/shutdown complete/);
  }, 60_000);
});
