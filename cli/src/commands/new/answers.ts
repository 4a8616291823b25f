import { LumiCliError } from "../../errors/index.ts";
import type { Answers, DataStore } from "../../manifest/index.ts";

/** Names a service may not take: they clash with tooling, namespaces or lumi itself. */
export const RESERVED_NAMES: readonly string[] = [
  "lumi",
  "template",
  "test",
  "tests",
  "node",
  "npm",
  "src",
  "app",
  "platform",
  "service",
  "default",
  "kubernetes",
  "kube-system",
  "kube-public",
  "localhost",
];

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Checks a service name: a DNS-1123 label (≤ 63 chars), not reserved; throws a usage error. */
export function validateName(name: string): string {
  if (name.length > 63) {
    throw new LumiCliError("usage", `invalid name "${name}": longer than 63 characters`);
  }
  if (!DNS_LABEL.test(name)) {
    throw new LumiCliError(
      "usage",
      `invalid name "${name}": use lower-case letters, digits and dashes, starting with a letter and not ending with a dash (a DNS-1123 label)`,
    );
  }
  if (RESERVED_NAMES.includes(name)) {
    throw new LumiCliError("usage", `invalid name "${name}": reserved`);
  }
  return name;
}

const OWNER = /^@[A-Za-z0-9][-A-Za-z0-9]*(\/[A-Za-z0-9][-A-Za-z0-9._]*)?$/;

/** Checks a CODEOWNERS owner: `@org/team` or `@user`. */
export function validateOwner(owner: string): string {
  if (!OWNER.test(owner)) {
    throw new LumiCliError("usage", `invalid owner "${owner}": use @org/team or @user`);
  }
  return owner;
}

/** The flags of `lumi new` that answer its questions. */
export interface AnswerFlags {
  readonly rpc?: boolean;
  readonly database?: string;
  readonly redis?: boolean;
  readonly owner?: string;
  readonly registry?: string;
  readonly chartRepository?: string;
  readonly platformRepository?: string;
}

/** The organisation of an owner (`@acme/payments` → `acme`). */
const orgOf = (owner: string): string => owner.slice(1).split("/")[0]?.toLowerCase() ?? "";

/** The default of each optional answer, given the ones already known. */
export function defaultsFor(owner: string): Omit<Answers, "name" | "owner"> {
  const org = orgOf(owner);
  return {
    rpc: true,
    database: "embedded",
    redis: true,
    registry: `ghcr.io/${org}`,
    chartRepository: `oci://ghcr.io/${org}/charts`,
    platformRepository: `${org}/lumi`,
  };
}

/** Checks a data store answer. */
export function validateDatabase(value: string): DataStore {
  if (value !== "embedded" && value !== "postgres") {
    throw new LumiCliError("usage", `invalid --database "${value}": use embedded or postgres`);
  }
  return value;
}

/**
 * Completes the answers from flags and prompted values; with no way to ask,
 * a missing owner (the one answer without a default) is a usage error.
 */
export function completeAnswers(name: string, flags: AnswerFlags): Answers {
  if (flags.owner === undefined) {
    throw new LumiCliError(
      "usage",
      "missing --owner (the owning team for CODEOWNERS, e.g. @acme/payments); it has no default",
    );
  }
  const owner = validateOwner(flags.owner);
  const defaults = defaultsFor(owner);
  return {
    name: validateName(name),
    rpc: flags.rpc ?? defaults.rpc,
    database: flags.database === undefined ? defaults.database : validateDatabase(flags.database),
    redis: flags.redis ?? defaults.redis,
    owner,
    registry: flags.registry ?? defaults.registry,
    chartRepository: flags.chartRepository ?? defaults.chartRepository,
    platformRepository: flags.platformRepository ?? defaults.platformRepository,
  };
}
