import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { mergeYaml } from "./yaml.ts";

const base = `# Helm values of this service in the dev environment.
serviceName: orders
environment: dev

image:
  repository: ghcr.io/example/orders

# One pod is enough in dev.
replicas: 1

env:
  LOG_LEVEL: debug

resources:
  requests:
    cpu: 50m
`;

// Local edits: a replica count with its own comment, an extra variable with a comment.
const ours = base
  .replace("replicas: 1", "replicas: 3 # raised for the load tests")
  .replace(
    "  LOG_LEVEL: debug",
    '  LOG_LEVEL: debug\n  # Until the beta ends.\n  FEATURE_FLAGS: "beta"',
  );

// Template edits: a reworded comment, a new key, a bumped request.
const theirs = `${base
  .replace("# One pod is enough in dev.", "# One pod is enough in dev; see docs/deploy.md.")
  .replace("cpu: 50m", "cpu: 100m")}
serviceMonitor:
  enabled: true
`;

const path = "deploy/values-dev.yaml";

describe("mergeYaml on Helm values", () => {
  it("when local changes replicas and the template adds a key and rewords a comment, then merges cleanly", () => {
    const result = mergeYaml({ path, base, ours, theirs });
    expect(result.conflicts).toEqual([]);
    expect(result.strategy).toBe("yaml");
    expect(result.content).toBe(`# Helm values of this service in the dev environment.
serviceName: orders
environment: dev

image:
  repository: ghcr.io/example/orders

# One pod is enough in dev; see docs/deploy.md.
replicas: 3 # raised for the load tests

env:
  LOG_LEVEL: debug
  # Until the beta ends.
  FEATURE_FLAGS: "beta"

resources:
  requests:
    cpu: 100m

serviceMonitor:
  enabled: true
`);
  });

  it("when both change the same value, then the conflict shows both lines under the key path", () => {
    const changed = theirs.replace("replicas: 1", "replicas: 2");
    const result = mergeYaml({ path, base, ours, theirs: changed, theirsLabel: "template 0.0.3" });
    expect(result.conflicts).toEqual([{ startLine: 9, endLine: 13, key: "replicas" }]);
    expect(result.content.split("\n").slice(7, 13)).toEqual([
      "# One pod is enough in dev; see docs/deploy.md.",
      "<<<<<<< local",
      "replicas: 3 # raised for the load tests",
      "=======",
      "replicas: 2",
      ">>>>>>> template 0.0.3",
    ]);
  });

  it("when both change a nested value, then the conflict is indented like the key", () => {
    const local = ours.replace("cpu: 50m", "cpu: 75m");
    const result = mergeYaml({ path, base, ours: local, theirs });
    const [conflict] = result.conflicts;
    expect(conflict?.key).toBe("resources.requests.cpu");
    const lines = result.content.split("\n");
    expect(lines.slice((conflict?.startLine ?? 0) - 1, conflict?.endLine)).toEqual([
      "<<<<<<< local",
      "    cpu: 75m",
      "=======",
      "    cpu: 100m",
      ">>>>>>> template",
    ]);
  });

  it("when the template removes a key local left alone, then it is removed", () => {
    const removed = theirs.replace("env:\n  LOG_LEVEL: debug\n\n", "");
    const local = base.replace("replicas: 1", "replicas: 2");
    const result = mergeYaml({ path, base, ours: local, theirs: removed });
    expect(result.conflicts).toEqual([]);
    expect(parse(result.content)).not.toHaveProperty("env");
    expect(parse(result.content).replicas).toBe(2);
  });

  it("when local edited a key the template removes, then it is a conflict with an empty template side", () => {
    const removed = theirs.replace("env:\n  LOG_LEVEL: debug\n\n", "");
    const result = mergeYaml({ path, base, ours, theirs: removed });
    expect(result.conflicts.map((conflict) => conflict.key)).toEqual(["env"]);
    expect(result.content).toContain(
      '<<<<<<< local\nenv:\n  LOG_LEVEL: debug\n  # Until the beta ends.\n  FEATURE_FLAGS: "beta"\n=======\n>>>>>>> template\n',
    );
  });

  it("when both reword the same comment, then keeps ours' comment", () => {
    const local = base.replace("# One pod is enough in dev.", "# One pod, as agreed with ops.");
    const result = mergeYaml({ path, base, ours: local, theirs });
    expect(result.conflicts).toEqual([]);
    expect(result.content).toContain("# One pod, as agreed with ops.\nreplicas: 1\n");
    expect(result.content).toContain("cpu: 100m");
  });

  it("when both add entries to a string sequence, then keeps both", () => {
    const flow = "on:\n  push:\n    branches: [main]\n";
    const local = flow.replace("[main]", "[main, release]");
    const result = mergeYaml({
      path: "ci.yml",
      base: flow,
      ours: local,
      theirs: flow.replace("[main]", "[main, next]"),
    });
    expect(result.content).toBe("on:\n  push:\n    branches: [main, release, next]\n");
  });

  it("when lines are untouched by the merge, then they keep ours' exact spelling", () => {
    const odd = "labels:\n  color: 008672\n  quoted: 'single'\nlist: [ a, b ]\n";
    const result = mergeYaml({ path: "x.yaml", base: odd, ours: odd, theirs: `${odd}extra: 1\n` });
    expect(result.content).toBe(`${odd}extra: 1\n`);
    const again = mergeYaml({
      path: "x.yaml",
      base: odd,
      ours: `${odd}local: 2\n`,
      theirs: `${odd}extra: 1\n`,
    });
    expect(again.content).toBe(`${odd}extra: 1\nlocal: 2\n`);
  });

  it("when ours uses CRLF, then the result uses CRLF", () => {
    const result = mergeYaml({ path, base, ours: ours.replaceAll("\n", "\r\n"), theirs });
    expect(result.conflicts).toEqual([]);
    expect(result.content).toBe(
      mergeYaml({ path, base, ours, theirs }).content.replaceAll("\n", "\r\n"),
    );
  });

  it("when theirs is merged again into the result with theirs as base, then nothing changes", () => {
    const first = mergeYaml({ path, base, ours, theirs });
    const again = mergeYaml({ path, base: theirs, ours: first.content, theirs });
    expect(again.unchanged).toBe(true);
    expect(again.content).toBe(first.content);
  });
});

describe("mergeYaml fallbacks to text", () => {
  const fallbacks = {
    "does not parse": "replicas: [1\n",
    "uses anchors and aliases": "defaults: &defaults\n  replicas: 1\ndev: *defaults\n",
    "holds several documents": "replicas: 1\n---\nreplicas: 2\n",
    "is a list at the top": "- replicas\n- env\n",
  };
  for (const [what, text] of Object.entries(fallbacks)) {
    it(`when ours ${what}, then merges as text`, () => {
      const result = mergeYaml({ path, base, ours: text, theirs });
      expect(result.strategy).toBe("text");
    });
  }
});
