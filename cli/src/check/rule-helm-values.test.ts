import { describe, expect, it } from "vitest";
import { checkService, createServiceFixture, outcomeOf } from "../../test/service-fixture.ts";
import { lookupLayered } from "./helm-layers.ts";
import { parseLocated } from "./source.ts";
import type { Finding } from "./types.ts";

const id = "lumi/helm-values";

async function findingsWith(files: Record<string, string | null>) {
  const outcome = outcomeOf(await checkService(await createServiceFixture(files)), id);
  expect(outcome.status).toBe("fail");
  return outcome.findings;
}

describe(id, () => {
  it("when every environment has requests, a memory limit, probes and no root, then it passes", async () => {
    expect(outcomeOf(await checkService(await createServiceFixture()), id).status).toBe("pass");
  });

  it.each<[string, Record<string, string>, Finding]>([
    [
      "when the shared values lack a cpu request, then it fails once at the shared file for the environments inheriting it",
      {
        "deploy/values.yaml":
          "serviceName: payments\nresources:\n  requests:\n    memory: 128Mi\n  limits:\n    memory: 256Mi\n",
      },
      {
        file: "deploy/values.yaml",
        line: 3,
        message: "dev, staging: resources.requests.cpu is not set",
      },
    ],
    [
      "when a probe path is overridden away from /healthz or /readyz, then it fails at the override",
      {
        "deploy/values-dev.yaml":
          "probes:\n  liveness:\n    httpGet:\n      path: /health\n  readiness:\n    path: /readyz\n",
      },
      {
        file: "deploy/values-dev.yaml",
        line: 4,
        message: 'dev: probes.liveness.httpGet.path is "/health", not /healthz',
      },
    ],
  ])("%s", async (_, files, finding) => {
    expect(await findingsWith(files)).toEqual([finding]);
  });

  it("when an environment removes the memory limit, disables a probe or runs as root, then it fails at that line", async () => {
    const findings = await findingsWith({
      "deploy/values-staging.yaml": "environment: staging\nprobes:\n  readiness: null\n",
      "deploy/values-prod.yaml": [
        "environment: prod",
        "resources:",
        "  limits:",
        "    memory: null",
        "probes:",
        "  liveness:",
        "    enabled: false",
        "podSecurityContext:",
        "  runAsUser: 0",
        "securityContext:",
        "  runAsNonRoot: false",
        "",
      ].join("\n"),
    });
    expect(findings).toEqual([
      {
        file: "deploy/values-staging.yaml",
        line: 3,
        message: "staging: probes.readiness is disabled",
      },
      {
        file: "deploy/values-prod.yaml",
        line: 4,
        message: "prod: resources.limits.memory is not set",
      },
      { file: "deploy/values-prod.yaml", line: 7, message: "prod: probes.liveness is disabled" },
      {
        file: "deploy/values-prod.yaml",
        line: 9,
        message: "prod: podSecurityContext.runAsUser is 0 (root)",
      },
      {
        file: "deploy/values-prod.yaml",
        line: 11,
        message: "prod: securityContext.runAsNonRoot is false",
      },
    ]);
  });

  it("when an environment file is missing or does not parse, then it fails naming the file", async () => {
    const findings = await findingsWith({
      "deploy/values-staging.yaml": null,
      "deploy/values-qa.yaml": "resources:\n  requests: [\n",
    });
    expect(findings.map(({ file, message }) => ({ file, message: message.split(":")[0] }))).toEqual(
      [
        { file: "deploy/values-staging.yaml", message: "deploy/values-staging.yaml is missing" },
        { file: "deploy/values-qa.yaml", message: "cannot be parsed" },
      ],
    );
  });
});

describe("lookupLayered", () => {
  const layers = [
    parseLocated("a:\n  b: 1\n  c: 2\nd:\n  e: 3\n", "base.yaml"),
    parseLocated("a:\n  c: 4\nd: plain\n", "env.yaml"),
  ];

  it("when a later file sets a key, then it wins; else the earlier file's value shows through", () => {
    expect(lookupLayered(layers, ["a", "c"])).toMatchObject({
      found: true,
      value: 4,
      file: "env.yaml",
      line: 2,
    });
    expect(lookupLayered(layers, ["a", "b"])).toMatchObject({
      found: true,
      value: 1,
      file: "base.yaml",
      line: 2,
    });
  });

  it("when a later file replaces a map with a scalar, then the keys below are gone", () => {
    expect(lookupLayered(layers, ["d", "e"])).toMatchObject({
      found: false,
      file: "env.yaml",
      line: 3,
    });
  });

  it("when no file has the key, then it points at the deepest parent present", () => {
    expect(lookupLayered(layers, ["a", "z"])).toMatchObject({
      found: false,
      removed: false,
      file: "env.yaml",
      line: 1,
    });
  });
});
