import { describe, expect, it } from "vitest";
import { mergeYaml } from "./yaml.ts";

const path = "deploy/values-dev.yaml";

describe("mergeYaml on flow mappings and new keys", () => {
  it("when both edit different keys of a flow mapping, then merges them in place", () => {
    const base = "resources: {cpu: 1, memory: 2}\nreplicas: 1\n";
    const ours = base.replace("cpu: 1", "cpu: 2");
    const result = mergeYaml({ path, base, ours, theirs: base.replace("memory: 2", "memory: 3") });
    expect(result.content).toBe("resources: {cpu: 2, memory: 3}\nreplicas: 1\n");
  });

  it("when both edit the same key of a flow mapping, then the whole mapping conflicts", () => {
    const base = "resources: {cpu: 1, memory: 2}\nreplicas: 1\n";
    const ours = base.replace("cpu: 1", "cpu: 2");
    const result = mergeYaml({ path, base, ours, theirs: base.replace("cpu: 1", "cpu: 3") });
    expect(result.conflicts).toEqual([{ startLine: 1, endLine: 5, key: "resources" }]);
    expect(result.content).toBe(
      "<<<<<<< local\nresources: {cpu: 2, memory: 2}\n=======\nresources: {cpu: 3, memory: 2}\n" +
        ">>>>>>> template\nreplicas: 1\n",
    );
  });

  it("when the template fills a mapping local left as {}, then takes the template's layout", () => {
    const base = "env: {}\nreplicas: 1\n";
    const theirs = "env:\n  LOG_LEVEL: info\nreplicas: 1\n";
    const result = mergeYaml({ path, base, ours: "env: {}\nreplicas: 2\n", theirs });
    expect(result.content).toBe("env:\n  LOG_LEVEL: info\nreplicas: 2\n");
  });

  it("when the template adds keys in a nested mapping, then each follows its predecessor", () => {
    const base = "probes:\n  liveness: /healthz\n";
    const ours = "probes:\n  liveness: /live\n  custom: /mine\n";
    const theirs = "probes:\n  startup: /startupz\n  liveness: /healthz\n  readiness: /readyz\n";
    const result = mergeYaml({ path, base, ours, theirs });
    expect(result.content).toBe(
      "probes:\n  startup: /startupz\n  liveness: /live\n  readiness: /readyz\n  custom: /mine\n",
    );
  });

  it("when both add the same key with different values, then it is a conflict", () => {
    const result = mergeYaml({
      path,
      base: "a: 1\n",
      ours: "a: 1\nb: 2\n",
      theirs: "a: 1\nb: 3\n",
    });
    expect(result.content).toBe("a: 1\n<<<<<<< local\nb: 2\n=======\nb: 3\n>>>>>>> template\n");
    expect(result.conflicts).toEqual([{ startLine: 2, endLine: 6, key: "b" }]);
  });
});
