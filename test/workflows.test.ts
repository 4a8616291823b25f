// The GitHub Actions workflows: `npm run workflows:check` (actionlint, shellcheck, pinning) passes
// on them and fails on a broken one, and they keep the conventions the project promises
// (permissions, concurrency, npm ci, scans, attestations, signing, promotion gates).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { changelogSection } from "../scripts/changelog-section.ts";
import {
  blankExpressions,
  checkWorkflows,
  pinProblems,
  workflowFiles,
} from "../scripts/workflows-check.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: workflow files are untyped YAML.
type Workflow = Record<string, any>;
const read = (file: string) => readFileSync(join(root, file), "utf8");
const workflow = (file: string): Workflow => parse(read(file));
const stepsOf = (job: Workflow): Workflow[] => job.steps ?? [];
const uses = (job: Workflow, action: string) =>
  stepsOf(job).filter((s) => String(s.uses ?? "").startsWith(`${action}@`));

const ci = workflow(".github/workflows/ci.yml");
const release = workflow(".github/workflows/release.yml");
const service = workflow(".github/workflows/service-ci.yml");
const caller = workflow("template/.github/workflows/ci.yml");
const chartVersion = /^version:\s*(\S+)/m.exec(read("deploy/helm/lumi-service/Chart.yaml"))?.[1];

describe("workflows:check", () => {
  const dir = mkdtempSync(join(tmpdir(), "lumi-workflows-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("when the repository's workflows are checked then there are no problems", async () => {
    const files = workflowFiles();
    expect(files).toEqual([
      ".github/workflows/ci.yml",
      ".github/workflows/release.yml",
      ".github/workflows/service-ci.yml",
      "template/.github/workflows/ci.yml",
    ]);
    expect(await checkWorkflows(files)).toEqual([]);
  }, 60_000);

  it("when a workflow is broken then actionlint, shellcheck and the pin rule each report it", async () => {
    const broken = join(dir, "broken.yml");
    writeFileSync(
      broken,
      [
        "name: broken",
        "on:",
        "  push:",
        "    branchs: [main]",
        "jobs:",
        "  build:",
        "    runs-on: ubuntu-24.04",
        "    steps:",
        "      - uses: actions/checkout@v5",
        `      - run: cd $HOME/\${{ github.sha }}`,
        "  other:",
        "    needs: [missing]",
        "    runs-on: ubuntu-24.04",
        "    steps:",
        "      - run: echo ok",
      ].join("\n"),
    );
    const problems = await checkWorkflows([broken]);
    const kinds = new Set(problems.map((problem) => problem.kind));
    expect(kinds).toEqual(
      new Set(["actionlint/syntax-check", "actionlint/job-needs", "shellcheck", "pin"]),
    );
    const shell = problems.filter((problem) => problem.kind === "shellcheck");
    expect(shell.map((problem) => problem.line)).toEqual([10, 10]);
    expect(shell.map((problem) => problem.message).join(" ")).toMatch(/SC2164.*|SC2086/);
  }, 60_000);

  it("when expressions are blanked then positions and line breaks are kept", () => {
    expect(blankExpressions(`echo "\${{ a }}"\nx`)).toBe('echo "________"\nx');
  });

  it("when an action is referenced then only SHA pins with a version, or lumi's tagged workflow, pass", () => {
    const text = [
      "      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0",
      "      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8",
      "      - uses: actions/checkout@v5",
      "    uses: acme/lumi/.github/workflows/service-ci.yml@v0.0.9",
      "    uses: acme/lumi/.github/workflows/service-ci.yml@main",
      "      - uses: ./.github/actions/local",
      "      - uses: docker://alpine:3",
    ].join("\n");
    expect(pinProblems("x.yml", text).map((problem) => problem.line)).toEqual([2, 3, 5, 7]);
  });
});

describe("ci.yml", () => {
  it("when it runs then it is read-only and cancels superseded pull request runs", () => {
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.on.push.branches).toEqual(["main"]);
    expect(ci.permissions).toEqual({ contents: "read" });
    expect(ci.concurrency).toEqual({
      group: `\${{ github.workflow }}-\${{ github.ref }}`,
      "cancel-in-progress": `\${{ github.event_name == 'pull_request' }}`,
    });
  });

  it("when it tests then it installs with npm ci on the .nvmrc Node.js and runs npm test and npm audit", () => {
    const [setup] = uses(ci.jobs.test, "actions/setup-node");
    expect(setup?.with).toEqual({ "node-version-file": ".nvmrc", cache: "npm" });
    const runs = stepsOf(ci.jobs.test).map((s) => s.run);
    expect(runs).toContain("npm ci");
    expect(runs).toContain("npm test");
    expect(stepsOf(ci.jobs.audit).map((s) => s.run)).toContain("npm audit --audit-level=high");
  });

  it("when the chart is checked then kubeconform runs strictly on what helm rendered", () => {
    const script = stepsOf(ci.jobs.chart)
      .map((s) => s.run ?? "")
      .join("\n");
    expect(script).toMatch(/node scripts\/helm\.ts --out/);
    expect(script).toMatch(/kubeconform" -strict/);
  });

  it("when the image is built then it is scanned, failing on fixable critical and high findings", () => {
    const [scan] = uses(ci.jobs.image, "aquasecurity/trivy-action");
    expect(scan?.with).toMatchObject({
      severity: "CRITICAL,HIGH",
      "ignore-unfixed": true,
      "exit-code": "1",
    });
  });

  it("when main is pushed then the multi-arch image is attested, signed, and the chart pushed", () => {
    const publish = ci.jobs.publish;
    expect(publish.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(publish.permissions).toEqual({
      contents: "read",
      packages: "write",
      "id-token": "write",
    });
    const [build] = uses(publish, "docker/build-push-action");
    expect(build?.with).toMatchObject({
      platforms: "linux/amd64,linux/arm64",
      push: true,
      provenance: "mode=max",
      sbom: true,
    });
    const script = stepsOf(publish)
      .map((s) => s.run ?? "")
      .join("\n");
    expect(script).toMatch(/cosign sign --yes "\$IMAGE"/);
    expect(script).toMatch(/helm push/);
    // No other job may write.
    for (const [name, job] of Object.entries(ci.jobs as Workflow)) {
      if (name !== "publish") expect(job.permissions, name).toBeUndefined();
    }
  });
});

describe("release.yml", () => {
  it("when a tag is pushed then notes come from the changelog and the SBOM is attached", () => {
    expect(release.on).toEqual({ push: { tags: ["v*"] } });
    const prepare = stepsOf(release.jobs.prepare)
      .map((s) => s.run ?? "")
      .join("\n");
    expect(prepare).toMatch(/node scripts\/changelog-section\.ts "\$GITHUB_REF_NAME"/);
    expect(prepare).toMatch(/npm run sbom/);
    const publish = stepsOf(release.jobs.release)
      .map((s) => s.run ?? "")
      .join("\n");
    expect(publish).toMatch(/gh release create[\s\S]*--notes-file notes\.md[\s\S]*\.cdx\.json/);
  });

  it("when the image and the chart are published then both are signed keyless with OIDC", () => {
    for (const job of [release.jobs.image, release.jobs.chart]) {
      expect(job.permissions).toMatchObject({ "id-token": "write", packages: "write" });
      expect(
        stepsOf(job)
          .map((s) => s.run ?? "")
          .join("\n"),
      ).toMatch(/cosign sign --yes/);
    }
    expect(uses(release.jobs.image, "docker/build-push-action")[0]?.with).toMatchObject({
      provenance: "mode=max",
      sbom: true,
    });
  });
});

describe("service-ci.yml and the template's caller", () => {
  it("when a service calls it then every input it passes exists and every required one is passed", () => {
    const inputs = service.on.workflow_call.inputs as Record<string, { required?: boolean }>;
    const passed = Object.keys(caller.jobs.pipeline.with);
    for (const key of passed) expect(Object.keys(inputs), key).toContain(key);
    for (const [key, input] of Object.entries(inputs)) {
      if (input.required) expect(passed, key).toContain(key);
    }
  });

  it("when the caller pins it then it is lumi's release of the chart version, with a placeholder owner", () => {
    expect(caller.jobs.pipeline.uses).toBe(
      `LUMI_TEMPLATE_OWNER/lumi/.github/workflows/service-ci.yml@v${chartVersion}`,
    );
    expect(caller.jobs.pipeline.with["chart-version"]).toBe(chartVersion);
    expect(service.on.workflow_call.inputs["chart-version"].default).toBe(chartVersion);
    expect(caller.jobs.pipeline.permissions).toEqual({
      contents: "read",
      packages: "write",
      "id-token": "write",
    });
    expect(caller.jobs.pipeline.secrets).toBe("inherit");
  });

  it("when it deploys then environments follow dev → staging → prod, each gated and pinned by digest", () => {
    const jobs = service.jobs as Workflow;
    expect(jobs["deploy-dev"].environment).toBe("dev");
    expect(jobs["deploy-staging"].environment).toBe("staging");
    expect(jobs["deploy-prod"].environment).toBe("prod");
    expect(jobs["deploy-staging"].needs).toContain("deploy-dev");
    expect(jobs["deploy-prod"].needs).toContain("deploy-staging");
    for (const name of ["deploy-dev", "deploy-staging", "deploy-prod"]) {
      const script = stepsOf(jobs[name])
        .map((s) => s.run ?? "")
        .join("\n");
      expect(script, name).toMatch(/cosign verify/);
      expect(script, name).toMatch(/--set-string image\.digest="\$DIGEST"/);
      expect(script, name).toMatch(/--rollback-on-failure/);
      expect(jobs[name].concurrency["cancel-in-progress"]).toBe(false);
    }
    expect(jobs.publish.needs).toEqual(expect.arrayContaining(["test", "image"]));
    expect(jobs.publish.permissions).toEqual({
      contents: "read",
      packages: "write",
      "id-token": "write",
    });
  });

  it("when the caller names values files then the template carries them", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const file = caller.jobs.pipeline.with[`values-${env}`];
      expect(file).toBe(`deploy/values-${env}.yaml`);
      expect(() => read(`template/${file}`)).not.toThrow();
    }
  });
});

describe("changelog-section", () => {
  const changelog = [
    "# Changelog",
    "## [Unreleased]",
    "### Added",
    "- next",
    "## [0.0.9] - 2026-12-01",
    "### Added",
    "- the chart",
    "",
    "## [0.0.8] - 2026-11-30",
    "- the pipeline",
    "[0.0.8]: https://example.com/compare",
  ].join("\n");

  it("when a released version is asked for then its section is returned, with or without v", () => {
    expect(changelogSection(changelog, "v0.0.9")).toBe("### Added\n- the chart");
    expect(changelogSection(changelog, "0.0.8")).toBe("- the pipeline");
  });

  it("when the version is unreleased or unknown then there is no section", () => {
    expect(changelogSection(changelog, "Unreleased")).toBeUndefined();
    expect(changelogSection(changelog, "v1.0.0")).toBeUndefined();
  });

  it("when the repository's changelog is read then its released versions have sections", () => {
    expect(changelogSection(read("CHANGELOG.md"), "v0.0.1")).toMatch(/### Added/);
  });
});
