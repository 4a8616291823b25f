// Static checks of template/Dockerfile (no Docker engine runs on the project's machines; GitHub
// Actions builds, scans and signs the image): pinned bases, a non-root numeric user, the ports of
// the configuration schema, SIGTERM, the exec-form entry point with the tracing preload, and a
// hadolint-style lint whose rules are themselves tested on a bad Dockerfile.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { configSchema } from "../template/src/platform/config/index.ts";
import {
  execFormOf,
  flagsOf,
  isPinned,
  lintDockerfile,
  parseDockerfile,
  propertiesOf,
  stagesOf,
} from "./dockerfile.ts";

const templateDir = fileURLToPath(new URL("../template/", import.meta.url));
const text = readFileSync(`${templateDir}Dockerfile`, "utf8");
const dockerfile = parseDockerfile(text);
const stages = stagesOf(dockerfile);
const runtime = stages.at(-1);
const runtimeInstructions = runtime?.instructions ?? [];
const only = (keyword: string) => runtimeInstructions.filter((i) => i.getKeyword() === keyword);
const env = new Map(only("ENV").flatMap((i) => [...propertiesOf(i)]));
const labels = new Map(only("LABEL").flatMap((i) => [...propertiesOf(i)]));

describe("template/Dockerfile", () => {
  it("when it is linted then there are no findings", () => {
    expect(lintDockerfile(text)).toEqual([]);
  });

  it("when it names base images then each is pinned by digest, never latest", () => {
    const external = stages.filter((stage) => !stages.some((s) => s.name === stage.image));
    expect(external.length).toBeGreaterThanOrEqual(2);
    for (const stage of external) {
      expect(stage.image, stage.image).toMatch(/@sha256:[a-f0-9]{64}$/);
      expect(stage.image).not.toMatch(/:latest\b/);
      expect(isPinned(stage.image)).toBe(true);
    }
    // The build runs Node.js 24 like the repository; the runtime is distroless Node.js 24.
    expect(stages[0]?.image).toMatch(/^node:24\.\d+\.\d+-bookworm-slim@/);
    expect(runtime?.image).toMatch(/^gcr\.io\/distroless\/nodejs24-debian12:nonroot@/);
  });

  it("when the runtime stage ends then its user is numeric and not root", () => {
    const user = only("USER").at(-1)?.getArgumentsContent();
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    // 65532 is distroless's nonroot; the Helm chart runs the pod as the same id.
    expect(user).toBe("65532:65532");
  });

  it("when ports are exposed then they are the configuration schema's defaults", () => {
    const exposed = only("EXPOSE")
      .flatMap((i) => (i.getArgumentsContent() ?? "").split(/\s+/))
      .map((port) => Number(port.replace(/\/tcp$/, "")));
    expect(exposed.sort()).toEqual(
      [
        configSchema.HTTP_PORT.default,
        configSchema.RPC_PORT.default,
        configSchema.OPS_PORT.default,
      ].sort(),
    );
  });

  it("when the container is stopped then node gets SIGTERM directly as PID 1", () => {
    expect(only("STOPSIGNAL").map((i) => i.getArgumentsContent())).toEqual(["SIGTERM"]);
    const entrypoints = only("ENTRYPOINT");
    expect(entrypoints).toHaveLength(1);
    const argv = execFormOf(entrypoints[0] as (typeof entrypoints)[0]);
    expect(argv).toBeDefined();
    expect(argv?.[0]).toMatch(/(^|\/)node$/);
    expect(argv?.slice(1)).toEqual([
      "--max-semi-space-size=8",
      "--import",
      "./dist/register.js",
      "dist/main.js",
    ]);
    expect(only("CMD")).toEqual([]);
    // The preload and the entry point are what scripts/bundle.ts bundles from src/.
    expect(existsSync(`${templateDir}src/platform/telemetry/register.ts`)).toBe(true);
    expect(existsSync(`${templateDir}src/main.ts`)).toBe(true);
  });

  it("when the runtime starts then it is in production mode and writes only to /tmp", () => {
    expect(env.get("NODE_ENV")).toBe("production");
    expect(env.get("TMPDIR")).toBe("/tmp");
    expect(env.get("SERVICE_COMMIT")).toBe(`\${REVISION}`);
    expect(only("WORKDIR").map((i) => i.getArgumentsContent())).toEqual(["/app"]);
    expect(only("VOLUME")).toEqual([]);
  });

  it("when a health check is declared then it probes /healthz on the ops port", () => {
    for (const healthcheck of only("HEALTHCHECK")) {
      const args = healthcheck.getArgumentsContent() ?? "";
      expect(args).toContain(`:${configSchema.OPS_PORT.default}/healthz`);
    }
  });

  it("when the image is labelled then the OCI source, version and revision come from build args", () => {
    expect(labels.get("org.opencontainers.image.source")).toBe(`\${SOURCE}`);
    expect(labels.get("org.opencontainers.image.version")).toBe(`\${VERSION}`);
    expect(labels.get("org.opencontainers.image.revision")).toBe(`\${REVISION}`);
    const args = new Set(only("ARG").flatMap((i) => [...propertiesOf(i).keys()]));
    expect(args).toEqual(new Set(["SOURCE", "VERSION", "REVISION"]));
  });

  it("when files reach the runtime stage then they are owned by root and come from the stages", () => {
    const copies = only("COPY");
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(flagsOf(copy).get("chown")).toBe("0:0");
    // node_modules from prod-deps, dist from build; migrations and package.json from the context.
    expect(copies.map((copy) => flagsOf(copy).get("from"))).toEqual([
      "prod-deps",
      "build",
      undefined,
      undefined,
    ]);
    const prodDeps = stages.find((stage) => stage.name === "prod-deps");
    const install = prodDeps?.instructions.find((i) => i.getKeyword() === "RUN");
    expect(install?.getArgumentsContent()).toMatch(/npm ci --omit=dev/);
  });

  it("when the build context is filtered then only the allow-listed files enter it", () => {
    const ignore = readFileSync(`${templateDir}.dockerignore`, "utf8")
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("#"));
    expect(ignore[0]).toBe("*");
    expect(ignore).toEqual(
      expect.arrayContaining(["!package.json", "!package-lock.json", "!src/", "src/**/*.test.ts"]),
    );
    expect(ignore.some((line) => line.includes(".env"))).toBe(false);
    // Every context path a COPY names is allowed in.
    for (const stage of stages) {
      for (const copy of stage.instructions.filter((i) => i.getKeyword() === "COPY")) {
        if (flagsOf(copy).has("from")) continue;
        const sources = (copy.getArgumentsContent() ?? "").split(/\s+/).slice(0, -1);
        for (const source of sources) {
          const allowed = ignore.includes(`!${source}`) || ignore.includes(`!${source}/`);
          expect(allowed, `${source} is not allowed by .dockerignore`).toBe(true);
        }
      }
    }
  });
});

describe("the Dockerfile lint", () => {
  const bad = [
    "FROM node:latest",
    "FROM debian:bookworm AS tools",
    "MAINTAINER someone",
    "WORKDIR app",
    "ADD https://example.com/tool.tgz /opt/",
    "ADD local.txt /opt/",
    "RUN apt-get update && apt-get upgrade -y",
    "RUN apt-get install -y curl",
    "RUN cd /opt && make",
    "RUN curl -fsSL https://example.com/install.sh | sh",
    "RUN sudo make install",
    "RUN npm install",
    "ENV API_TOKEN=abc",
    "ARG DB_PASSWORD",
    `FROM gcr.io/distroless/nodejs24-debian12:nonroot@sha256:${"a".repeat(64)}`,
    "COPY --from=missing /a /b",
    "COPY dist ./dist",
    "USER root",
    "CMD node dist/main.js",
  ].join("\n");

  it("when a Dockerfile makes the common mistakes then each rule reports it", () => {
    const rules = new Set(lintDockerfile(bad).map((finding) => finding.rule));
    expect([...rules].sort()).toEqual(
      [
        "DL3002",
        "DL3003",
        "DL3004",
        "DL3005",
        "DL3007",
        "DL3009",
        "DL3015",
        "DL3016",
        "DL3020",
        "DL3022",
        "DL3025",
        "DL3045",
        "DL4000",
        "DL4006",
        "DL3000",
        "copy-chown",
        "no-secret-env",
        "pinned-base",
      ].sort(),
    );
  });

  it("when the runtime user is a name then Kubernetes could not verify it, so it is reported", () => {
    const named = `FROM scratch@sha256:${"b".repeat(64)}\nUSER nonroot\n`;
    expect(lintDockerfile(named).map((finding) => finding.rule)).toEqual(["numeric-user"]);
  });

  it("when a tag is an exact version then it counts as pinned, a moving tag does not", () => {
    expect(isPinned("node:24.20.0-bookworm-slim")).toBe(true);
    expect(isPinned("node:24-bookworm-slim")).toBe(false);
    expect(isPinned("node:lts")).toBe(false);
    expect(isPinned(`node@sha256:${"c".repeat(64)}`)).toBe(true);
  });
});
