import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { manifestOf, stampForTest, testAnswers } from "../../../test/add-fixture.ts";
import { main } from "../../cli.ts";
import { LumiCliError } from "../../errors/index.ts";
import { hashContent, MANIFEST_PATH } from "../../manifest/index.ts";
import { cliVersion } from "../../utils/paths.ts";
import { type AddOptions, runAdd } from "./index.ts";

// `lumi add` against services stamped from the repository's template into
// temporary directories (without proto code generation: the rpc generator's
// codegen runs in the integration test).

let work: string;
let serviceCount = 0;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "lumi-add-"));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A freshly stamped service; `flags` are those of `lumi new`. */
async function service(flags: { rpc?: boolean } = {}): Promise<string> {
  serviceCount += 1;
  const root = path.join(work, `svc-${serviceCount}`);
  await stampForTest(root, testAnswers("shop-api", flags));
  return root;
}

/** Runs `lumi add` quietly (no output on the test's console). */
function add(generator: string, words: string[], options: AddOptions) {
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  return runAdd(generator, words, { yes: true, today: "2030-01-02", ...options });
}

/** The LumiCliError a call rejects with. */
async function failure(call: Promise<unknown>): Promise<LumiCliError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof LumiCliError)) throw new Error(`expected a LumiCliError, got ${error}`);
  return error;
}

const read = (root: string, file: string) => readFile(path.join(root, file), "utf8");

describe("lumi add: the command line", () => {
  it("when the generator is unknown then it exits 2 naming the generators", async () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    expect(await main(["add", "widget", "orders", "--directory", work])).toBe(2);
    expect(stderr.join("")).toContain(
      'unknown generator "widget": use one of route, rpc, dependency, repository, adr',
    );
  });

  it("when the name is not kebab-case then it exits 2 and writes nothing", async () => {
    const root = await service();
    const before = await read(root, MANIFEST_PATH);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await main(["add", "route", "PaymentMethods", "--directory", root])).toBe(2);
    expect(await read(root, MANIFEST_PATH)).toBe(before);
    expect(existsSync(path.join(root, "src/app/PaymentMethods"))).toBe(false);
  });

  it("when the name is missing and prompting is off then it is a usage error", async () => {
    const error = await failure(add("route", [], { directory: await service() }));
    expect(error.type).toBe("usage");
    expect(error.message).toBe("missing name: lumi add route <name>");
  });

  it("when a generator taking a name gets several words then it is a usage error", async () => {
    const error = await failure(add("route", ["payment", "methods"], { directory: work }));
    expect(error.type).toBe("usage");
    expect(error.message).toContain("takes one name, got 2");
  });

  it("when the directory is not a stamped service then it is a state error", async () => {
    const error = await failure(add("route", ["orders"], { directory: work }));
    expect(error.type).toBe("state");
    expect(error.message).toContain("not a service stamped by lumi");
  });
});

describe("lumi add route", () => {
  let root: string;
  beforeAll(async () => {
    root = await service();
  });

  it("when it is a dry run then it lists the files and writes nothing", async () => {
    const before = await read(root, MANIFEST_PATH);
    const routes = await read(root, "src/app/routes.ts");
    const result = await add("route", ["payment-methods"], { directory: root, dryRun: true });
    expect(result).toMatchObject({
      dryRun: true,
      created: [
        "src/app/payment-methods/payment-methods-service.ts",
        "src/app/payment-methods/payment-methods-http-handler.ts",
        "test/payment-methods-http.test.ts",
      ],
      modified: ["src/app/routes.ts"],
    });
    expect(existsSync(path.join(root, "src/app/payment-methods"))).toBe(false);
    expect(await read(root, MANIFEST_PATH)).toBe(before);
    expect(await read(root, "src/app/routes.ts")).toBe(routes);
  });

  it("when it runs then the files exist, the route is registered and the manifest records them", async () => {
    const result = await add("route", ["payment-methods"], { directory: root });
    for (const file of result.created) expect(existsSync(path.join(root, file)), file).toBe(true);
    const routes = await read(root, "src/app/routes.ts");
    expect(routes).toContain(
      'import { mountPaymentMethodsRoutes } from "./payment-methods/payment-methods-http-handler.ts";\n',
    );
    expect(routes).toMatch(/ {2}mountPaymentMethodsRoutes,\n {2}\/\/ lumi add route:/);

    const manifest = await manifestOf(root);
    expect(manifest.generated).toEqual([
      {
        generator: "route",
        name: "payment-methods",
        files: [...result.created].sort(),
        templateVersion: cliVersion,
      },
    ]);
    for (const file of [...result.created, "src/app/routes.ts"]) {
      expect(manifest.files[file]).toEqual({
        mode: "seeded",
        hash: hashContent(await readFile(path.join(root, file))),
      });
    }
  });

  it("when the route exists already then it refuses and changes nothing", async () => {
    const routes = await read(root, "src/app/routes.ts");
    const error = await failure(add("route", ["payment-methods"], { directory: root }));
    expect(error.type).toBe("state");
    expect(error.details.join("\n")).toContain(
      "src/app/payment-methods/payment-methods-service.ts exists; lumi add never overwrites",
    );
    expect(await read(root, "src/app/routes.ts")).toBe(routes);
    expect((await manifestOf(root)).generated).toHaveLength(1);
  });

  it("when a second route is added then both are registered, in import order", async () => {
    await add("route", ["invoices"], { directory: root });
    const routes = await read(root, "src/app/routes.ts");
    const invoices = routes.indexOf('import { mountInvoicesRoutes } from "./invoices/');
    const payments = routes.indexOf("import { mountPaymentMethodsRoutes }");
    expect(invoices).toBeGreaterThan(0);
    expect(invoices).toBeLessThan(payments);
    expect(routes).toMatch(/mountPaymentMethodsRoutes,\n {2}mountInvoicesRoutes,\n/);
  });

  it("when the anchor line is gone then it refuses before writing anything", async () => {
    const other = await service();
    const file = path.join(other, "src/app/routes.ts");
    await writeFile(file, (await readFile(file, "utf8")).replace(/^.*lumi add route:.*\n/m, ""));
    const error = await failure(add("route", ["orders"], { directory: other }));
    expect(error.type).toBe("state");
    expect(error.details.join("\n")).toContain(
      'src/app/routes.ts has no "// lumi add route:" line',
    );
    expect(existsSync(path.join(other, "src/app/orders"))).toBe(false);
  });
});

describe("lumi add rpc", () => {
  it("when the service was stamped without RPC then it is a usage error", async () => {
    const root = await service({ rpc: false });
    const error = await failure(add("rpc", ["ledger"], { directory: root }));
    expect(error.type).toBe("usage");
    expect(error.message).toBe(
      "shop-api was stamped without RPC (lumi new --no-rpc): it has no RPC listener to add ledger to",
    );
    expect(existsSync(path.join(root, "src/app/ledger"))).toBe(false);
  });

  it("when it is a dry run then it lists the proto, the handler, the test and the generated code", async () => {
    const result = await add("rpc", ["ledger"], { directory: await service(), dryRun: true });
    expect(result).toMatchObject({
      created: [
        "proto/shop_api/v1/ledger.proto",
        "src/app/ledger/ledger-rpc-handler.ts",
        "test/ledger-rpc.test.ts",
      ],
      modified: ["src/app/rpc-services.ts"],
      generated: ["src/gen/shop_api/v1/ledger_pb.ts"],
    });
  });

  it("when the proto package declares the names already then it refuses", async () => {
    const error = await failure(add("rpc", ["item"], { directory: await service() }));
    expect(error.type).toBe("state");
    expect(error.message).toBe(
      "ItemService exists already in proto/shop_api/v1/items.proto; choose another name",
    );
  });
});

describe("lumi add dependency", () => {
  it("when it runs then the entry with its settings is inserted at the anchor", async () => {
    const root = await service();
    await add("dependency", ["pricing-api"], { directory: root });
    await add("dependency", ["ledger"], { directory: root });
    const declared = await read(root, "src/app/dependencies.ts");
    expect(declared).toContain(
      [
        "  // pricing-api: DEP_PRICING_API_* variables override each setting (docs/resilience.md).",
        '  "pricing-api": {',
        '    baseUrl: "http://pricing-api:8080",',
        "    timeoutMs: 2000,",
      ].join("\n"),
    );
    expect(declared).toMatch(/ {2}ledger: \{\n {4}baseUrl: "http:\/\/ledger:8080",/);
    expect(declared.indexOf('"pricing-api"')).toBeLessThan(declared.indexOf("ledger: {"));

    const error = await failure(add("dependency", ["ledger"], { directory: root }));
    expect(error.message).toBe(
      "dependency ledger exists already in src/app/dependencies.ts; choose another name",
    );
  });
});

describe("lumi add repository", () => {
  it("when repositories are added then their migrations take the next numbers", async () => {
    const root = await service();
    const first = await add("repository", ["orders"], { directory: root });
    const second = await add("repository", ["order-lines"], { directory: root });
    expect(first.created).toContain("migrations/0002_create_orders.up.sql");
    expect(second.created).toContain("migrations/0003_create_order_lines.down.sql");
    expect(await read(root, "migrations/0003_create_order_lines.up.sql")).toContain(
      'CREATE TABLE "order_lines" (',
    );
    const error = await failure(add("repository", ["orders"], { directory: root }));
    expect(error.type).toBe("state");
  });
});

describe("lumi add adr", () => {
  it("when records are added then they take the next numbers and are listed", async () => {
    const root = await service();
    const first = await add("adr", ["Use", "PostgreSQL", "for", "orders"], { directory: root });
    const second = await add("adr", ["Cache | prices"], { directory: root });
    expect(first).toMatchObject({
      name: "0002-use-postgresql-for-orders",
      created: ["docs/adr/0002-use-postgresql-for-orders.md"],
      modified: ["docs/adr/README.md"],
    });
    expect(second.created).toEqual(["docs/adr/0003-cache-prices.md"]);
    const record = await read(root, "docs/adr/0002-use-postgresql-for-orders.md");
    expect(record.split("\n").slice(0, 4)).toEqual([
      "# 0002. Use PostgreSQL for orders",
      "",
      "- Status: Proposed",
      "- Date: 2030-01-02",
    ]);
    const index = await read(root, "docs/adr/README.md");
    expect(index).toMatch(/\| \[0002\]\(0002-use-postgresql-for-orders\.md\) +\| Use PostgreSQL/);
    expect(index).toMatch(
      /\| \[0003\]\(0003-cache-prices\.md\) +\| Cache \\\| prices +\| Proposed/,
    );
  });

  it("when the service has no ADR index then one is created listing the record", async () => {
    const root = await service();
    await rm(path.join(root, "docs/adr"), { recursive: true });
    const result = await add("adr", ["Record decisions"], { directory: root });
    expect(result.created).toEqual(["docs/adr/0001-record-decisions.md", "docs/adr/README.md"]);
    expect(await read(root, "docs/adr/README.md")).toContain(
      "| [0001](0001-record-decisions.md) | Record decisions | Proposed |",
    );
  });

  it("when --json is given then the result is JSON on stdout", async () => {
    const root = await service();
    const stdout: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const code = await main([
      "--json",
      "add",
      "adr",
      "Use Redis",
      "--directory",
      root,
      "--dry-run",
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.join(""))).toMatchObject({
      generator: "adr",
      dryRun: true,
      created: ["docs/adr/0002-use-redis.md"],
    });
  });
});
