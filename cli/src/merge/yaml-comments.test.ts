import { describe, expect, it } from "vitest";
import { mergeYaml } from "./yaml.ts";

const path = "deploy/values-dev.yaml";

describe("mergeYaml keeps local comments", () => {
  it("when the template rewrites the header comment, then takes it and keeps local values", () => {
    const base = "# Values for dev.\nreplicas: 1\nenv: {}\n";
    const theirs = "# Values for the dev cluster.\nreplicas: 1\nenv: {}\n";
    const result = mergeYaml({ path, base, ours: base.replace("1", "2"), theirs });
    expect(result.content).toBe("# Values for the dev cluster.\nreplicas: 2\nenv: {}\n");
  });

  it("when the template removes a key whose comment local edited, then it is a conflict", () => {
    const base = "a: 1\n# About b.\nb: 2\nc: 3\n";
    const ours = base.replace("# About b.", "# About b: keep it, ops need it.");
    const result = mergeYaml({ path, base, ours, theirs: "a: 1\nc: 3\n" });
    expect(result.conflicts).toEqual([{ startLine: 3, endLine: 6, key: "b" }]);
    expect(result.content).toBe(
      "a: 1\n# About b: keep it, ops need it.\n<<<<<<< local\nb: 2\n=======\n>>>>>>> template\nc: 3\n",
    );
  });

  it("when the template replaces a list local commented, then keeps the local comment", () => {
    const base = "hosts:\n  - a.example.com\n  - b.example.com\n";
    const ours = base.replace("b.example.com", "b.example.com # the old one");
    const theirs = "hosts:\n  - a.example.com\n  - b.example.com\n  - c.example.com\n";
    const result = mergeYaml({ path, base, ours, theirs });
    expect(result.content).toBe(`${ours}  - c.example.com\n`);
  });

  it("when the template replaces a list of objects local commented, then it is a conflict", () => {
    const base = "ports:\n  - name: http\n    port: 80\n";
    const ours = base.replace("port: 80", "port: 80 # the public one");
    const theirs = base.replace("80", "8080");
    const result = mergeYaml({ path, base, ours, theirs });
    expect(result.conflicts.map((conflict) => conflict.key)).toEqual(["ports"]);
    expect(result.content).toContain("port: 80 # the public one");
  });

  it("when the template changes a value local commented inline, then keeps the comment", () => {
    const base = "replicas: 1\n";
    const result = mergeYaml({
      path,
      base,
      ours: "replicas: 1 # see ops\n",
      theirs: "replicas: 2\n",
    });
    expect(result.content).toBe("replicas: 2 # see ops\n");
  });
});
