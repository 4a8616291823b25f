import { describe, expect, it } from "vitest";
import type { Answers } from "../manifest/index.ts";
import { renderTemplate } from "./render.ts";
import { dropEnvKeys } from "./service-files.ts";
import type { TemplateSource } from "./source.ts";
import { parseTemplateMeta } from "./template-meta.ts";

const meta = parseTemplateMeta(
  JSON.stringify({
    exclude: ["lumi-template.json", "bench/**"],
    dropScripts: ["bench"],
    ownership: [
      { glob: "src/platform/**", mode: "managed" },
      { glob: "package.json", mode: "merged" },
      { glob: "**", mode: "seeded" },
    ],
    substitutions: [
      { find: "lumi.template.v1", replace: "{{protoPackage}}.v1" },
      { find: "lumi/template/v1", replace: "{{protoPackage}}/v1" },
      { find: "lumi-template", replace: "{{name}}" },
    ],
    features: {
      rpc: {
        when: { rpc: true },
        files: ["proto/**", "src/platform/rpc/**"],
        dependencies: ["@connectrpc/connect-node"],
        devDependencies: ["@bufbuild/buf"],
        scripts: ["codegen"],
        envKeys: ["RPC_PORT"],
      },
    },
  }),
);

const pkg = {
  name: "@lumi/template",
  version: "0.0.2",
  private: true,
  scripts: { test: "vitest run", codegen: "buf generate", bench: "node bench/run.ts" },
  dependencies: { "@connectrpc/connect-node": "^2", express: "^5" },
  devDependencies: { "@bufbuild/buf": "^1", vitest: "^5" },
};

const source: TemplateSource = {
  version: "0.0.2",
  meta,
  files: new Map(
    Object.entries({
      "lumi-template.json": "{}",
      "bench/run.ts": "x",
      "package.json": JSON.stringify(pkg),
      "proto/lumi/template/v1/items.proto": "package lumi.template.v1;",
      "src/platform/rpc/server.ts": "rpc",
      "src/platform/http/app.ts":
        'const name = "lumi-template";\n// lumi:begin rpc\nrpc();\n// lumi:end rpc\n',
      "src/app/items.ts": "items",
      ".env.example":
        "# Port\n# HTTP_PORT=8080\n\n# RPC port\n# RPC_PORT=8081\n\n# Level\n# LOG_LEVEL=info\n",
    }).map(([name, text]) => [name, Buffer.from(text)]),
  ),
};

const answers = (rpc: boolean): Answers => ({
  name: "payments-api",
  rpc,
  database: "embedded",
  redis: true,
  owner: "@acme/payments",
  registry: "ghcr.io/acme",
  chartRepository: "oci://ghcr.io/acme/charts",
  platformRepository: "acme/lumi",
});

const byPath = (rpc: boolean) =>
  new Map(renderTemplate(source, answers(rpc)).map((file) => [file.path, file]));

describe("renderTemplate", () => {
  it("when rendered then names are substituted in paths and contents, and modes follow the rules", () => {
    const files = byPath(true);
    expect([...files.keys()]).toEqual([
      ".env.example",
      "package.json",
      "proto/payments_api/v1/items.proto",
      "src/app/items.ts",
      "src/platform/http/app.ts",
      "src/platform/rpc/server.ts",
    ]);
    expect(files.get("proto/payments_api/v1/items.proto")?.content.toString()).toBe(
      "package payments_api.v1;",
    );
    expect(files.get("src/platform/http/app.ts")?.content.toString()).toBe(
      'const name = "payments-api";\nrpc();\n',
    );
    expect(files.get("src/platform/http/app.ts")?.mode).toBe("managed");
    expect(files.get("package.json")?.mode).toBe("merged");
    expect(files.get("src/app/items.ts")?.mode).toBe("seeded");
  });

  it("when a feature is off then its files, blocks, dependencies, scripts and keys are gone", () => {
    const files = byPath(false);
    expect(
      [...files.keys()].some((name) => name.includes("rpc") || name.startsWith("proto/")),
    ).toBe(false);
    expect(files.get("src/platform/http/app.ts")?.content.toString()).toBe(
      'const name = "payments-api";\n',
    );
    const rendered = JSON.parse(files.get("package.json")?.content.toString() ?? "{}");
    expect(rendered).toMatchObject({ name: "payments-api", version: "0.1.0", private: true });
    expect(rendered.dependencies).toEqual({ express: "^5" });
    expect(rendered.devDependencies).toEqual({ vitest: "^5" });
    expect(rendered.scripts).toEqual({ test: "vitest run" });
    expect(files.get(".env.example")?.content.toString()).not.toContain("RPC_PORT");
  });

  it("when rendered twice then the output is identical", () => {
    expect(renderTemplate(source, answers(true))).toEqual(renderTemplate(source, answers(true)));
  });
});

describe("dropEnvKeys", () => {
  it("when keys are dropped then their whole comment block goes and the rest stays", () => {
    const text =
      "# Header\n\n# Port\n# HTTP_PORT=8080\n\n# Secret\nAUTH_TOKEN=\n\n# Level\n# LOG_LEVEL=info\n";
    expect(dropEnvKeys(text, new Set(["AUTH_TOKEN", "HTTP_PORT"]))).toBe(
      "# Header\n\n# Level\n# LOG_LEVEL=info\n",
    );
  });
});
