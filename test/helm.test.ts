// Renders the shared Helm chart with the real helm binary (scripts/helm.ts) and every values file,
// then checks the manifests: probes, ports, pod security, graceful shutdown, scaling objects,
// labels and selectors, what is public, and each object against the Kubernetes schemas
// (kubernetes-models; kubeconform -strict also runs in GitHub Actions). Also checks that the
// schema and the template refuse bad values. It is long because it covers every object the
// chart renders, for every values file, in one place.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  PrometheusRule,
  ServiceMonitor,
} from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Service, ServiceAccount } from "kubernetes-models/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import {
  CHART_DIR,
  helm,
  RELEASE,
  renderChart,
  valuesFiles,
  valuesLayers,
} from "../scripts/helm.ts";
import { configSchema } from "../template/src/platform/config/index.ts";
import { parseDockerfile, propertiesOf, stagesOf } from "./dockerfile.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests and values are untyped YAML.
type Yaml = any;
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Yaml;
  data?: Record<string, string>;
  [key: string]: Yaml;
};
type Values = Record<string, Yaml>;

/** The public port names of a rendering: http, and rpc unless the values turn it off. */
const publicPorts = (r: Rendering): string[] =>
  (r.values.ports as Values | undefined)?.rpc === null ? ["http"] : ["http", "rpc"];

/** Validators for the kinds the chart renders. */
const models: Record<string, (object: Manifest) => { validate(): void }> = {
  "v1/ConfigMap": (o) => new ConfigMap(o as never),
  "v1/Service": (o) => new Service(o as never),
  "v1/ServiceAccount": (o) => new ServiceAccount(o as never),
  "apps/v1/Deployment": (o) => new Deployment(o as never),
  "autoscaling/v2/HorizontalPodAutoscaler": (o) => new HorizontalPodAutoscaler(o as never),
  "policy/v1/PodDisruptionBudget": (o) => new PodDisruptionBudget(o as never),
  "networking.k8s.io/v1/NetworkPolicy": (o) => new NetworkPolicy(o as never),
  "networking.k8s.io/v1/Ingress": (o) => new Ingress(o as never),
  "monitoring.coreos.com/v1/ServiceMonitor": (o) => new ServiceMonitor(o as never),
  "monitoring.coreos.com/v1/PrometheusRule": (o) => new PrometheusRule(o as never),
};

const STANDARD_LABELS = [
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/version",
  "app.kubernetes.io/component",
  "app.kubernetes.io/part-of",
  "app.kubernetes.io/managed-by",
  "helm.sh/chart",
];

function deepMerge(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] =
      value &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      current &&
      typeof current === "object"
        ? deepMerge(current, value)
        : value;
  }
  return out;
}

const readYaml = (file: string): Values => parse(readFileSync(file, "utf8")) ?? {};
const defaults = readYaml(join(CHART_DIR, "values.yaml"));

function manifestsOf(rendered: string): Manifest[] {
  return parseAllDocuments(rendered)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

interface Rendering {
  file: string;
  values: Values;
  manifests: Manifest[];
  one(kind: string, name?: string): Manifest;
  all(kind: string): Manifest[];
}

function render(file: string): Rendering {
  const manifests = manifestsOf(renderChart(valuesLayers(file)));
  const all = (kind: string) => manifests.filter((m) => m.kind === kind);
  return {
    file,
    values: valuesLayers(file).reduce<Values>(
      (acc, layer) => deepMerge(acc, readYaml(layer)),
      defaults,
    ),
    manifests,
    all,
    one(kind, name) {
      const found = all(kind).filter((m) => name === undefined || m.metadata.name === name);
      expect(found, `${file}: one ${kind} ${name ?? ""}`).toHaveLength(1);
      return found[0] as Manifest;
    },
  };
}

const files = valuesFiles();
const renderings = new Map<string, Rendering>();
beforeAll(() => {
  for (const file of files) renderings.set(file, render(file));
}, 60_000);
const rendering = (file: string) => renderings.get(file) as Rendering;
const deploymentOf = (r: Rendering) => r.one("Deployment");
const containerOf = (r: Rendering) => deploymentOf(r).spec.template.spec.containers[0];
const configOf = (r: Rendering) => r.one("ConfigMap").data ?? {};
const selectorLabels = {
  "app.kubernetes.io/name": "lumi-template",
  "app.kubernetes.io/instance": RELEASE,
};

describe("the lumi-service chart", () => {
  it("when it is checked then there are values files for dev, staging and prod", () => {
    for (const env of ["dev", "staging", "prod"]) {
      expect(files).toContain(`deploy/helm/lumi-service/ci/${env}-values.yaml`);
      expect(files).toContain(`template/deploy/values-${env}.yaml`);
    }
  });

  it("when the template's values change then the chart's ci profiles are the same files", () => {
    for (const env of ["dev", "staging", "prod"]) {
      expect(readFileSync(join(CHART_DIR, "ci", `${env}-values.yaml`), "utf8")).toBe(
        readFileSync(join(root, "template", "deploy", `values-${env}.yaml`), "utf8"),
      );
    }
  });

  it("when the rules ship in the chart then they are deploy/prometheus's, byte for byte", () => {
    expect(readFileSync(join(CHART_DIR, "files", "lumi-service.rules.yaml"), "utf8")).toBe(
      readFileSync(join(root, "deploy", "prometheus", "lumi-service.rules.yaml"), "utf8"),
    );
  });

  it("when helm lints the chart strictly with the defaults then it passes", () => {
    const result = helm(["lint", "--strict", "--quiet", CHART_DIR]);
    expect(result.stderr + result.stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
    expect(result.status).toBe(0);
  });
});

describe.each(files)("the chart rendered with %s", (file) => {
  it("when every object is validated then it matches its Kubernetes schema", () => {
    for (const manifest of rendering(file).manifests) {
      const model = models[`${manifest.apiVersion}/${manifest.kind}`];
      if (model) {
        expect(
          () => model(manifest).validate(),
          `${manifest.kind} ${manifest.metadata.name}`,
        ).not.toThrow();
      } else {
        // The one CRD without a model: check its structure.
        expect(`${manifest.apiVersion}/${manifest.kind}`).toBe(
          "external-secrets.io/v1/ExternalSecret",
        );
        expect(manifest.spec.secretStoreRef.name).toBeTruthy();
        expect(["SecretStore", "ClusterSecretStore"]).toContain(manifest.spec.secretStoreRef.kind);
        expect(manifest.spec.target.name).toBe(deploymentOf(rendering(file)).metadata.name);
        expect(manifest.spec.data ?? manifest.spec.dataFrom).toBeInstanceOf(Array);
      }
    }
  });

  it("when objects are labelled then each has every standard label, and selectors only name and instance", () => {
    const r = rendering(file);
    for (const manifest of r.manifests) {
      const labels = manifest.metadata.labels ?? {};
      expect(Object.keys(labels), `${manifest.kind} ${manifest.metadata.name}`).toEqual(
        expect.arrayContaining(STANDARD_LABELS),
      );
      expect(labels["app.kubernetes.io/name"]).toBe("lumi-template");
      expect(labels["app.kubernetes.io/instance"]).toBe(RELEASE);
      expect(labels["app.kubernetes.io/managed-by"]).toBe("Helm");
      expect(labels["helm.sh/chart"]).toMatch(/^lumi-service-\d+\.\d+\.\d+$/);
    }
    const deployment = deploymentOf(r);
    expect(deployment.spec.selector).toEqual({ matchLabels: selectorLabels });
    expect(deployment.spec.template.metadata.labels).toMatchObject(selectorLabels);
    for (const service of r.all("Service")) expect(service.spec.selector).toEqual(selectorLabels);
    for (const pdb of r.all("PodDisruptionBudget")) {
      expect(pdb.spec.selector).toEqual({ matchLabels: selectorLabels });
    }
    for (const policy of r.all("NetworkPolicy")) {
      expect(policy.spec.podSelector).toEqual({ matchLabels: selectorLabels });
    }
    for (const spread of deployment.spec.template.spec.topologySpreadConstraints ?? []) {
      expect(spread.labelSelector).toEqual({ matchLabels: selectorLabels });
    }
  });

  it("when the pod starts then the probes hit /healthz and /readyz on the ops port by name", () => {
    const container = containerOf(rendering(file));
    expect(container.startupProbe.httpGet).toEqual({ path: "/healthz", port: "ops" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "ops" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "ops" });
  });

  it("when the container listens then its ports are the configuration defaults, and the env says so", () => {
    const r = rendering(file);
    const ports = Object.fromEntries(
      containerOf(r).ports.map((p: { name: string; containerPort: number }) => [
        p.name,
        p.containerPort,
      ]),
    );
    // A values file with ports.rpc: null is a service without the RPC listener.
    const rpc = (r.values.ports as Values | undefined)?.rpc !== null;
    expect(ports).toEqual({
      http: configSchema.HTTP_PORT.default,
      ...(rpc ? { rpc: configSchema.RPC_PORT.default } : {}),
      ops: configSchema.OPS_PORT.default,
    });
    const config = configOf(r);
    expect(Number(config.HTTP_PORT)).toBe(ports.http);
    expect(config.RPC_PORT === undefined ? undefined : Number(config.RPC_PORT)).toBe(ports.rpc);
    expect(Number(config.OPS_PORT)).toBe(ports.ops);
    expect(config.OTEL_SERVICE_NAME).toBe(r.values.serviceName);
    expect(config.DEPLOYMENT_ENVIRONMENT).toBe(r.values.environment);
    // Every key the chart writes is a key of the configuration schema.
    for (const key of Object.keys(config)) expect(Object.keys(configSchema)).toContain(key);
  });

  it("when the pod runs then it meets the restricted pod security level as the image's user", () => {
    const r = rendering(file);
    const pod = deploymentOf(r).spec.template.spec;
    const dockerfile = stagesOf(
      parseDockerfile(readFileSync(join(root, "template", "Dockerfile"), "utf8")),
    );
    const imageUser = dockerfile
      .at(-1)
      ?.instructions.filter((i) => i.getKeyword() === "USER")
      .at(-1);
    const [uid, gid] = (imageUser?.getArgumentsContent() ?? "").split(":").map(Number);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: gid,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork ?? false).toBe(false);
    for (const container of pod.containers) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(container.securityContext.capabilities.add).toBeUndefined();
      expect(container.securityContext.privileged ?? false).toBe(false);
      // The only writable path is the emptyDir at /tmp, the image's TMPDIR.
      expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    }
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: expect.any(Object) }]);
    const env = new Map(
      dockerfile
        .at(-1)
        ?.instructions.filter((i) => i.getKeyword() === "ENV")
        .flatMap((i) => [...propertiesOf(i)]),
    );
    expect(env.get("TMPDIR")).toBe("/tmp");
    for (const account of r.all("ServiceAccount"))
      expect(account.automountServiceAccountToken).toBe(false);
  });

  it("when the pod is deleted then the grace period covers preStop, drain delay, timeout and 5 s", () => {
    const r = rendering(file);
    const pod = deploymentOf(r).spec.template.spec;
    const config = configOf(r);
    const preStop = containerOf(r).lifecycle?.preStop;
    if (preStop) {
      expect(Object.keys(preStop)).toEqual(["sleep"]); // no exec: the image has no shell
    }
    const preStopSeconds = preStop?.sleep.seconds ?? 0;
    expect(preStopSeconds).toBe(r.values.shutdown.preStopSleepSeconds);
    const drainMs = Number(config.SHUTDOWN_DRAIN_DELAY_MS);
    const timeoutMs = Number(config.SHUTDOWN_TIMEOUT_MS);
    expect(drainMs).toBe(r.values.shutdown.drainDelayMs);
    expect(timeoutMs).toBe(r.values.shutdown.timeoutMs);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
      preStopSeconds + (drainMs + timeoutMs) / 1000 + 5,
    );
    expect(deploymentOf(r).spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: r.values.rollingUpdate.maxSurge },
    });
  });

  it("when scaling is configured then the HPA and PDB exist exactly when they should", () => {
    const r = rendering(file);
    const { autoscaling, podDisruptionBudget, replicas } = r.values;
    const deployment = deploymentOf(r);
    if (autoscaling.enabled) {
      const hpa = r.one("HorizontalPodAutoscaler");
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: deployment.metadata.name,
      });
      expect(hpa.spec.minReplicas).toBe(autoscaling.minReplicas);
      expect(hpa.spec.metrics[0].resource.name).toBe("cpu");
      expect(hpa.spec.metrics).toHaveLength(1 + (autoscaling.metrics?.length ?? 0));
      expect(deployment.spec.replicas).toBeUndefined();
    } else {
      expect(r.all("HorizontalPodAutoscaler")).toEqual([]);
      expect(deployment.spec.replicas).toBe(replicas);
    }
    const least = autoscaling.enabled ? autoscaling.minReplicas : replicas;
    expect(r.all("PodDisruptionBudget")).toHaveLength(
      podDisruptionBudget.enabled && least > 1 ? 1 : 0,
    );
  });

  it("when resources are set then every container has requests and limits", () => {
    for (const container of deploymentOf(rendering(file)).spec.template.spec.containers) {
      expect(container.resources.requests).toMatchObject({
        cpu: expect.anything(),
        memory: expect.anything(),
      });
      expect(container.resources.limits).toMatchObject({ memory: expect.anything() });
    }
  });

  it("when traffic comes in then the ops port is in neither the public Service nor the Ingress", () => {
    const r = rendering(file);
    const name = deploymentOf(r).metadata.name;
    const publicService = r.one("Service", name);
    expect(publicService.spec.ports.map((p: { name: string }) => p.name)).toEqual(publicPorts(r));
    for (const port of publicService.spec.ports) {
      expect(port.targetPort).not.toBe("ops");
      expect(port.targetPort).not.toBe(configSchema.OPS_PORT.default);
    }
    if (publicPorts(r).includes("rpc")) {
      expect(publicService.spec.ports[1]).toMatchObject({
        name: "rpc",
        appProtocol: "kubernetes.io/h2c",
      });
    }
    const ops = r.one("Service", `${name}-ops`);
    expect(ops.spec.type).toBe("ClusterIP");
    expect(ops.spec.ports).toEqual([
      { name: "ops", port: configSchema.OPS_PORT.default, targetPort: "ops", protocol: "TCP" },
    ]);
    for (const ingress of r.all("Ingress")) {
      for (const rule of ingress.spec.rules) {
        for (const path of rule.http.paths) {
          expect(path.backend.service).toEqual({ name, port: { name: "http" } });
        }
      }
    }
    for (const policy of r.all("NetworkPolicy")) {
      expect(policy.spec.policyTypes).toEqual(["Ingress"]);
      const [publicRule, opsRule] = policy.spec.ingress;
      expect(publicRule.ports.map((p: { port: string }) => p.port)).toEqual(publicPorts(r));
      expect(opsRule.ports).toEqual([{ port: "ops", protocol: "TCP" }]);
      expect(opsRule.from[0].namespaceSelector).toEqual(
        r.values.networkPolicy.monitoringNamespaceSelector,
      );
    }
  });

  it("when secrets are configured then the container loads them with envFrom", () => {
    const r = rendering(file);
    const name = deploymentOf(r).metadata.name;
    const envFrom = containerOf(r).envFrom;
    expect(envFrom[0]).toEqual({ configMapRef: { name } });
    const secretRefs = envFrom
      .slice(1)
      .map((source: { secretRef: { name: string } }) => source.secretRef.name);
    const expected = [...(r.values.secretEnvFrom ?? [])];
    if (r.values.externalSecret.enabled) expected.push(name);
    expect(secretRefs).toEqual(expected);
    expect(r.all("ExternalSecret")).toHaveLength(r.values.externalSecret.enabled ? 1 : 0);
  });

  it("when monitoring is on then Prometheus scrapes the ops Service with job = the service name", () => {
    const r = rendering(file);
    const monitors = r.all("ServiceMonitor");
    expect(monitors).toHaveLength(r.values.serviceMonitor.enabled ? 1 : 0);
    for (const monitor of monitors) {
      expect(monitor.spec.jobLabel).toBe("app.kubernetes.io/name");
      expect(monitor.spec.endpoints).toEqual([
        expect.objectContaining({ port: "ops", path: "/metrics" }),
      ]);
      expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ["lumi"] });
      // It selects the ops Service and not the public one.
      const matches = (service: Manifest) =>
        Object.entries(monitor.spec.selector.matchLabels).every(
          ([key, value]) => service.metadata.labels?.[key] === value,
        );
      const selected = r.all("Service").filter(matches);
      expect(selected.map((s) => s.metadata.name)).toEqual([
        `${deploymentOf(r).metadata.name}-ops`,
      ]);
      expect(selected[0]?.metadata.labels?.["app.kubernetes.io/name"]).toBe(r.values.serviceName);
    }
    const rules = r.all("PrometheusRule");
    expect(rules).toHaveLength(r.values.prometheusRule.enabled ? 1 : 0);
    const shipped = readYaml(join(root, "deploy", "prometheus", "lumi-service.rules.yaml"));
    for (const rule of rules) expect(rule.spec).toEqual({ groups: shipped.groups });
  });
});

describe("the prod profiles", () => {
  const prod = files.filter((file) => /prod/.test(file));

  it.each(prod)("when %s is rendered then it is highly available and drains for 5 s", (file) => {
    const r = rendering(file);
    expect(r.values.replicas).toBeGreaterThanOrEqual(3);
    const hpa = r.one("HorizontalPodAutoscaler");
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(3);
    r.one("PodDisruptionBudget");
    expect(configOf(r).SHUTDOWN_DRAIN_DELAY_MS).toBe("5000");
    expect(containerOf(r).resources.limits).toMatchObject({
      cpu: expect.anything(),
      memory: expect.anything(),
    });
    expect(deploymentOf(r).spec.template.spec.topologySpreadConstraints).toHaveLength(2);
  });
});

describe("values the chart refuses", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "lumi-chart-values-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const renderWith = (name: string, values: string) => {
    const path = join(dir, name);
    writeFileSync(path, values);
    return helm(["template", RELEASE, CHART_DIR, "--values", path]);
  };

  it("when a values file has an unknown key then the schema fails the rendering", () => {
    const result = renderWith("unknown.yaml", "replicas: 2\nreplica: 3\n");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/additional properties 'replica' not allowed/);
    const nested = renderWith("nested.yaml", "shutdown:\n  drainDelay: 5000\n");
    expect(nested.status).not.toBe(0);
    expect(nested.stderr).toMatch(/drainDelay/);
  });

  it("when a value has the wrong type or range then the schema fails the rendering", () => {
    expect(renderWith("port.yaml", "ports:\n  http: 70000\n").stderr).toMatch(/maximum/);
    expect(renderWith("digest.yaml", "image:\n  digest: latest\n").status).not.toBe(0);
    expect(renderWith("env.yaml", "env:\n  LOG_LEVEL: 3\n").stderr).toMatch(/want string/);
  });

  it("when the grace period is shorter than preStop + drain + timeout + 5 s then rendering fails", () => {
    const result = renderWith(
      "grace.yaml",
      "shutdown:\n  preStopSleepSeconds: 5\n  drainDelayMs: 5000\n  timeoutMs: 10000\nterminationGracePeriodSeconds: 24\n",
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/terminationGracePeriodSeconds is 24 but must be at least 25/);
    const enough = renderWith("grace-ok.yaml", "terminationGracePeriodSeconds: 25\n");
    expect(enough.status).toBe(0);
  });

  it("when env sets a key the chart derives then rendering fails and names it", () => {
    const result = renderWith("reserved.yaml", 'env:\n  OPS_PORT: "9999"\n');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/env\.OPS_PORT is set by the chart/);
  });

  it("when an image digest is set then it wins over the tag", () => {
    const digest = `sha256:${"d".repeat(64)}`;
    const result = renderWith("digest-ok.yaml", `image:\n  tag: "1.2.3"\n  digest: ${digest}\n`);
    expect(result.status).toBe(0);
    const deployment = manifestsOf(result.stdout).find((m) => m.kind === "Deployment") as Manifest;
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      `ghcr.io/example/lumi-template@${digest}`,
    );
    expect(deployment.metadata.labels?.["app.kubernetes.io/version"]).toBe("1.2.3");
  });
});
