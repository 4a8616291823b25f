// Static checks of the local infrastructure in deploy/compose: Docker does not run where the
// tests run, so the compose file and the configuration it mounts are verified by reading them.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { configSchema } from "../template/src/platform/config/index.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const composeDir = join(repoRoot, "deploy/compose");

type PortEntry =
  | string
  | number
  | { target: number; published?: string | number; host_ip?: string; protocol?: string };
type VolumeEntry = string | { type: string; source?: string; target: string; read_only?: boolean };

interface ComposeService {
  image?: string;
  command?: string | string[];
  environment?: Record<string, string> | string[];
  ports?: PortEntry[];
  volumes?: VolumeEntry[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  extra_hosts?: string[] | Record<string, string>;
}

interface ComposeFile {
  version?: unknown;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

interface Port {
  readonly hostIp: string | undefined;
  readonly published: number | undefined;
  readonly target: number;
}

interface Mount {
  readonly kind: "bind" | "volume";
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** Every YAML file under `dir`, recursively, as paths relative to the repository root. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => relative(repoRoot, join(dir, name)))
    .sort();
}

/** Parses a YAML file of the repository; duplicate keys and syntax errors throw. */
function readYaml<T>(path: string): T {
  const document = parseDocument(readFileSync(join(repoRoot, path), "utf8"), { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new Error(`${path}: ${document.errors.map((error) => error.message).join("; ")}`);
  }
  return document.toJS() as T;
}

/** A `ports` entry in short (`[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`) or long syntax. */
function parsePort(entry: PortEntry): Port {
  if (typeof entry === "object") {
    const published = entry.published === undefined ? undefined : Number(entry.published);
    return { hostIp: entry.host_ip, published, target: Number(entry.target) };
  }
  const parts = String(entry)
    .replace(/\/(tcp|udp)$/, "")
    .split(":");
  const target = Number(parts.at(-1));
  if (parts.length === 1) return { hostIp: undefined, published: undefined, target };
  const published = Number(parts.at(-2));
  const hostIp = parts.length > 2 ? parts.slice(0, -2).join(":") : undefined;
  return { hostIp, published, target };
}

/** A `volumes` entry of a service in short (`SOURCE:TARGET[:MODE]`) or long syntax. */
function parseMount(entry: VolumeEntry): Mount {
  if (typeof entry === "object") {
    return {
      kind: entry.type === "bind" ? "bind" : "volume",
      source: entry.source ?? "",
      target: entry.target,
      readOnly: entry.read_only === true,
    };
  }
  const [source = "", target = "", mode = ""] = entry.split(":");
  const kind = /^[./~]/.test(source) ? "bind" : "volume";
  return { kind, source, target, readOnly: mode.split(",").includes("ro") };
}

const compose = readYaml<ComposeFile>("deploy/compose/compose.yaml");
const services = Object.entries(compose.services ?? {});
const service = (name: string): ComposeService => {
  const found = compose.services?.[name];
  if (found === undefined) throw new Error(`compose.yaml has no service ${name}`);
  return found;
};
const ports = (name: string) => (service(name).ports ?? []).map(parsePort);
const mounts = (name: string) => (service(name).volumes ?? []).map(parseMount);
/** The repository path of the file or folder mounted at `target` in service `name`. */
const mountedAt = (name: string, target: string): string => {
  const mount = mounts(name).find((m) => m.kind === "bind" && m.target === target);
  if (mount === undefined) throw new Error(`${name} mounts nothing at ${target}`);
  return relative(repoRoot, resolve(composeDir, mount.source));
};

/** Services without a healthcheck, and why. */
const noHealthcheck: Record<string, string> = {
  "otel-collector": "the collector image has no shell or HTTP client to run a check with",
};

describe("deploy/compose parses", () => {
  it.each(yamlFiles(composeDir))("when %s is read then it is valid YAML", (path) => {
    expect(() => readYaml(path)).not.toThrow();
  });

  it("when compose.yaml is read then it follows the Compose spec (services, no version key)", () => {
    expect(compose.version, "the Compose spec has no `version:` key").toBeUndefined();
    expect(services.map(([name]) => name).sort()).toEqual(
      ["grafana", "otel-collector", "postgres", "prometheus", "redis"].sort(),
    );
  });
});

describe("every compose service", () => {
  it.each(services)("when %s is started then its image has a pinned version tag", (_, svc) => {
    const image = svc.image ?? "";
    const reference = image.replace(/@sha256:[0-9a-f]{64}$/, "");
    const colon = reference.lastIndexOf(":");
    const tag = colon > reference.lastIndexOf("/") ? reference.slice(colon + 1) : undefined;
    expect(tag, `image "${image}" has no tag`).toBeDefined();
    expect(tag).not.toBe("latest");
    expect(tag, `image "${image}" must name a version`).toMatch(/\d/);
  });

  it.each(services)("when %s publishes ports then they are bound to 127.0.0.1", (_, svc) => {
    for (const port of (svc.ports ?? []).map(parsePort)) {
      expect(port.hostIp, `port ${JSON.stringify(port)}`).toBe("127.0.0.1");
      expect(port.published, `port ${JSON.stringify(port)} needs a fixed host port`).toBeTypeOf(
        "number",
      );
    }
  });

  it.each(services)("when %s mounts files then they exist in the repository", (name, svc) => {
    for (const mount of (svc.volumes ?? []).map(parseMount)) {
      if (mount.kind === "volume") {
        expect(Object.keys(compose.volumes ?? {}), `named volume of ${name}`).toContain(
          mount.source,
        );
        continue;
      }
      const path = relative(repoRoot, resolve(composeDir, mount.source));
      expect(existsSync(join(repoRoot, path)), `${path}, mounted by ${name}, does not exist`).toBe(
        true,
      );
      expect(mount.readOnly, `${path} is mounted read-write into ${name}`).toBe(true);
    }
  });

  it.each(services)(
    "when %s is checked then it has a healthcheck or a reason not to",
    (name, svc) => {
      const hasCheck = svc.healthcheck?.test !== undefined && svc.healthcheck.disable !== true;
      expect(hasCheck, noHealthcheck[name] ?? `${name} needs a healthcheck`).toBe(
        noHealthcheck[name] === undefined,
      );
    },
  );

  it("when a service waits for another to be healthy then that one has a healthcheck", () => {
    for (const [name, svc] of services) {
      const dependsOn = svc.depends_on;
      if (dependsOn === undefined || Array.isArray(dependsOn)) continue;
      for (const [other, { condition }] of Object.entries(dependsOn)) {
        expect(compose.services[other], `${name} depends on unknown ${other}`).toBeDefined();
        if (condition === "service_healthy") {
          expect(service(other).healthcheck?.test, `${name} waits for ${other}`).toBeDefined();
        }
      }
    }
  });

  it("when services publish ports then no host port is used twice or by the golden service", () => {
    const published = services.flatMap(([name]) => ports(name).map((p) => p.published));
    expect(published.length).toBe(new Set(published).size);
    const listeners = [configSchema.HTTP_PORT, configSchema.RPC_PORT, configSchema.OPS_PORT];
    for (const port of listeners.map((spec) => spec.default)) {
      expect(published, `host port ${port} belongs to the golden service`).not.toContain(port);
    }
  });
});

describe("prometheus scrapes the golden service", () => {
  interface PrometheusConfig {
    global?: { scrape_interval?: string };
    rule_files?: string[];
    scrape_configs: {
      job_name: string;
      scrape_interval?: string;
      metrics_path?: string;
      static_configs?: { targets: string[] }[];
    }[];
  }
  const configPath = mountedAt("prometheus", "/etc/prometheus/prometheus.yml");
  const config = readYaml<PrometheusConfig>(configPath);
  const opsPort = configSchema.OPS_PORT.default;
  const serviceName = configSchema.OTEL_SERVICE_NAME.default;
  const job = config.scrape_configs.find((c) => c.job_name === serviceName);

  it("when the service keeps its default name then a job of that name scrapes it", () => {
    expect(config.scrape_configs.map((c) => c.job_name)).toContain(serviceName);
    expect(job?.scrape_interval ?? config.global?.scrape_interval).toBe("15s");
    expect(job?.metrics_path ?? "/metrics").toBe("/metrics");
  });

  it("when the service keeps its default OPS_PORT then the target is that port on the host", () => {
    const targets = job?.static_configs?.flatMap((c) => c.targets) ?? [];
    expect(targets).toEqual([`host.docker.internal:${opsPort}`]);
    const extraHosts = service("prometheus").extra_hosts;
    const entries = Array.isArray(extraHosts)
      ? extraHosts
      : Object.entries(extraHosts ?? {}).map(([host, ip]) => `${host}:${ip}`);
    expect(entries, "host.docker.internal must resolve on Linux").toContain(
      "host.docker.internal:host-gateway",
    );
  });

  it("when Prometheus is published on the host then it is on 9091, beside the ops port", () => {
    expect(ports("prometheus")).toEqual([{ hostIp: "127.0.0.1", published: 9091, target: 9090 }]);
  });

  it("when rules are loaded then they come from the mounted deploy/prometheus folder", () => {
    const rulesDir = mountedAt("prometheus", "/etc/prometheus/rules");
    expect(rulesDir).toBe("deploy/prometheus");
    expect(config.rule_files?.length).toBeGreaterThan(0);
    for (const pattern of config.rule_files ?? []) {
      expect(pattern.startsWith("/etc/prometheus/rules/"), pattern).toBe(true);
    }
    expect(
      existsSync(join(repoRoot, rulesDir)) && statSync(join(repoRoot, rulesDir)).isDirectory(),
      `${rulesDir} (the shipped Prometheus rules) does not exist`,
    ).toBe(true);
    const files = readdirSync(join(repoRoot, rulesDir));
    const matched = (config.rule_files ?? []).flatMap((pattern) => {
      const glob = new RegExp(
        `^${pattern
          .slice("/etc/prometheus/rules/".length)
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, "[^/]*")}$`,
      );
      return files.filter((file) => glob.test(file));
    });
    expect(matched.length, `rule_files match nothing in ${rulesDir}`).toBeGreaterThan(0);
    for (const file of matched) {
      const rules = readYaml<{ groups?: unknown }>(join(rulesDir, file));
      expect(Array.isArray(rules.groups), `${rulesDir}/${file} has no rule groups`).toBe(true);
    }
  });

  const promtool = spawnSync("promtool", ["--version"]).status === 0;
  it.skipIf(!promtool)("when promtool is on PATH then it accepts prometheus.yaml", () => {
    const result = spawnSync("promtool", ["check", "config", "--syntax-only", configPath], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});

describe("the OpenTelemetry Collector receives OTLP", () => {
  interface CollectorConfig {
    receivers: { otlp?: { protocols?: Record<string, { endpoint?: string }> } };
    exporters: Record<string, unknown>;
    service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
  }
  const command = [service("otel-collector").command ?? []].flat().join(" ");
  const configTarget = /--config[= ](\S+)/.exec(command)?.[1] ?? "/etc/otelcol-contrib/config.yaml";
  const config = readYaml<CollectorConfig>(mountedAt("otel-collector", configTarget));

  it("when a service sends OTLP then 4317 (gRPC) and 4318 (HTTP) are open on the host", () => {
    const published = ports("otel-collector");
    expect(published).toContainEqual({ hostIp: "127.0.0.1", published: 4317, target: 4317 });
    expect(published).toContainEqual({ hostIp: "127.0.0.1", published: 4318, target: 4318 });
    const protocols = config.receivers.otlp?.protocols ?? {};
    expect(protocols.grpc?.endpoint).toBe("0.0.0.0:4317");
    expect(protocols.http?.endpoint).toBe("0.0.0.0:4318");
  });

  it("when traces arrive then they go to the debug exporter and nowhere else", () => {
    expect(config.service.pipelines.traces?.receivers).toEqual(["otlp"]);
    expect(config.service.pipelines.traces?.exporters).toEqual(["debug"]);
    expect(Object.keys(config.exporters)).toEqual(["debug"]);
  });
});

describe("grafana shows the shipped dashboards on the local Prometheus", () => {
  interface Datasources {
    datasources: { name: string; uid: string; type: string; url: string; isDefault?: boolean }[];
  }
  interface Providers {
    providers: { type: string; options: { path: string } }[];
  }
  const provisioning = mountedAt("grafana", "/etc/grafana/provisioning");
  const datasources = readYaml<Datasources>(
    `${provisioning}/datasources/prometheus.yaml`,
  ).datasources;
  const providers = readYaml<Providers>(`${provisioning}/dashboards/lumi.yaml`).providers;

  it("when Grafana starts then its default data source is the prometheus service", () => {
    expect(datasources).toHaveLength(1);
    const [prometheus] = datasources;
    expect(prometheus).toMatchObject({ uid: "prometheus", type: "prometheus", isDefault: true });
    const url = new URL(prometheus?.url ?? "");
    expect(compose.services[url.hostname], `${url.hostname} is not a compose service`).toBe(
      service("prometheus"),
    );
    expect(ports("prometheus").map((p) => p.target)).toContain(Number(url.port));
  });

  it("when Grafana starts then it reads dashboards from the mounted deploy/grafana/dashboards", () => {
    expect(providers).toHaveLength(1);
    const [provider] = providers;
    expect(provider?.type).toBe("file");
    const dashboards = mountedAt("grafana", provider?.options.path ?? "");
    expect(dashboards).toBe("deploy/grafana/dashboards");
    expect(
      existsSync(join(repoRoot, dashboards)) && statSync(join(repoRoot, dashboards)).isDirectory(),
      `${dashboards} (the shipped dashboards) does not exist`,
    ).toBe(true);
  });

  it("when a dashboard names a data source then it is the provisioned one or a variable", () => {
    const dir = join(repoRoot, "deploy/grafana/dashboards");
    const files = existsSync(dir)
      ? readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"))
      : [];
    const uids = new Set(datasources.map((d) => d.uid));
    const names = new Set(datasources.map((d) => d.name));
    for (const file of files) {
      const dashboard = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
        templating?: { list?: { name: string; type: string }[] };
      };
      const variables = new Set(
        (dashboard.templating?.list ?? [])
          .filter((v) => v.type === "datasource")
          .map((v) => v.name),
      );
      for (const ref of datasourceRefs(dashboard)) {
        if (ref.type === "grafana" || ref.type === "datasource") continue;
        const variable = /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(ref.uid)?.[1];
        if (variable !== undefined) {
          expect(variables, `${file}: $${variable} is not a data source variable`).toContain(
            variable,
          );
        } else if (ref.byName) {
          expect(names, `${file}: data source ${ref.uid} is not provisioned`).toContain(ref.uid);
        } else {
          expect(uids, `${file}: data source uid ${ref.uid} is not provisioned`).toContain(ref.uid);
        }
      }
    }
  });

  it("when someone opens Grafana locally then they can view without signing in", () => {
    const env = service("grafana").environment;
    const vars = Array.isArray(env)
      ? Object.fromEntries(env.map((e) => e.split("=", 2) as [string, string]))
      : (env ?? {});
    expect(vars.GF_AUTH_ANONYMOUS_ENABLED).toBe("true");
    expect(vars.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe("Viewer");
  });
});

describe("docs/local-infra.md describes the stack", () => {
  const doc = readFileSync(join(repoRoot, "docs/local-infra.md"), "utf8");
  // The rows of the table whose first column is `service`.
  const table = /^\| service .*\n\|[-| ]+\|\n((?:\|.*\|\n)+)/m.exec(doc)?.[1] ?? "";
  const rows = new Map(
    table
      .trim()
      .split("\n")
      .map((line) => line.split("|").map((cell) => cell.trim().replace(/^`|`$/g, "")))
      .map(([, name = "", image = "", hostPorts = ""]) => [name, { image, hostPorts }]),
  );

  it("when a service is in compose.yaml then the docs list it, and only those", () => {
    expect([...rows.keys()].sort()).toEqual(services.map(([name]) => name).sort());
  });

  it.each(services)("when %s is listed then its image and host ports match", (name, svc) => {
    const row = rows.get(name);
    expect(row?.image).toBe(svc.image);
    const documented = (row?.hostPorts ?? "")
      .replace(/\(.*\)/g, "")
      .split(",")
      .map((port) => Number(port.trim()))
      .filter((port) => port > 0);
    expect(documented).toEqual(ports(name).map((p) => p.published));
  });
});

interface DatasourceRef {
  /** The uid, or the name when {@link byName} (the older string form). */
  readonly uid: string;
  readonly type?: string;
  readonly byName?: boolean;
}

/** Every `datasource` reference anywhere in a dashboard (panels, targets, variables). */
function datasourceRefs(node: unknown): DatasourceRef[] {
  if (Array.isArray(node)) return node.flatMap(datasourceRefs);
  if (typeof node !== "object" || node === null) return [];
  const refs: DatasourceRef[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "datasource" && typeof value === "object" && value !== null && "uid" in value) {
      const { uid, type } = value as { uid: unknown; type?: unknown };
      if (typeof uid === "string") {
        refs.push({ uid, ...(typeof type === "string" ? { type } : {}) });
      }
    } else if (key === "datasource" && typeof value === "string") {
      refs.push({ uid: value, byName: true });
    } else {
      refs.push(...datasourceRefs(value));
    }
  }
  return refs;
}
