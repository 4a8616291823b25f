import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { LumiCliError } from "../../errors/index.ts";
import type { Manifest } from "../../manifest/index.ts";
import { protoPackageOf } from "../../template/index.ts";
import { ANCHORS, type AnchorName, appendTableRow, nextNumber, tableCell } from "./edits.ts";
import { insertImport } from "./imports.ts";
import { nameForms, slugOf, validateKebabName, validateTitle } from "./names.ts";

/** The generators of `lumi add`. */
export const GENERATOR_NAMES = ["route", "rpc", "dependency", "repository", "adr"] as const;

/** One of {@link GENERATOR_NAMES}. */
export type GeneratorName = (typeof GENERATOR_NAMES)[number];

/** Values the Handlebars templates are rendered with. */
export type TemplateData = Readonly<Record<string, string | boolean>>;

/** A file a generator creates from a template of `cli/templates/add/<generator>/`. */
export interface CreatedFile {
  /** POSIX path relative to the service root. */
  readonly path: string;
  /** The template's file name in the generator's directory. */
  readonly template: string;
}

/**
 * An edit of an existing file of the service, shaped as plop's `modify`
 * action: the first match of `pattern` is replaced by the rendered template
 * (`$&` keeps the match), then `transform` runs on the result.
 */
export interface FileEdit {
  readonly path: string;
  /** What the edit does, for the dry run and the result. */
  readonly summary: string;
  readonly pattern?: RegExp;
  /** An inline Handlebars template of the replacement. */
  readonly template?: string;
  /** A template file of the generator's directory, instead of `template`. */
  readonly templateFile?: string;
  /** A pure edit of the whole content, after the replacement. */
  readonly transform?: (content: string) => string;
  /** Checks the file can take the edit; returns the problem, if any. */
  readonly check?: (content: string) => string | undefined;
}

/** What a generator knows about the service it runs in. */
export interface ServiceContext {
  readonly root: string;
  readonly manifest: Manifest;
  /** Today, `YYYY-MM-DD` (ADR dates). */
  readonly today: string;
}

/** Everything one run of a generator writes, decided before anything is written. */
export interface AddPlan {
  readonly generator: GeneratorName;
  /** The name the manifest records (a kebab-case name; an ADR's file name). */
  readonly name: string;
  readonly data: TemplateData;
  readonly creates: readonly CreatedFile[];
  readonly edits: readonly FileEdit[];
  /** Files `buf generate` writes (rpc), when code generation runs. */
  readonly generated: readonly string[];
  /** Commands for the team to run afterwards. */
  readonly next: readonly string[];
}

/** A generator: validates its argument against the service and plans its files. */
export interface Generator {
  readonly name: GeneratorName;
  readonly description: string;
  /** How the argument is described in help and prompts. */
  readonly argument: string;
  /** Validates the argument (a usage error when it is wrong); returns its normal form. */
  readonly validate: (argument: string) => string;
  readonly plan: (argument: string, service: ServiceContext) => Promise<AddPlan>;
}

/** Template values every generator shares. */
function commonData(kebab: string, manifest: Manifest): Record<string, string | boolean> {
  const pkg = protoPackageOf(manifest.answers.name);
  return {
    ...nameForms(kebab),
    service: manifest.answers.name,
    protoPackage: pkg,
    embedded: manifest.answers.database === "embedded",
  };
}

/**
 * An edit inserting the rendered template above a registration point's
 * anchor line, and the import of what it registers.
 */
function registration(
  anchor: AnchorName,
  summary: string,
  insert: { readonly template: string } | { readonly templateFile: string },
  importStatement?: string,
): FileEdit {
  const { file, pattern } = ANCHORS[anchor];
  const template = "template" in insert ? { template: `${insert.template}$&` } : insert;
  return {
    path: file,
    summary,
    pattern,
    ...template,
    ...(importStatement === undefined
      ? {}
      : { transform: (content: string) => insertImport(content, importStatement) }),
    check: (content) =>
      pattern.test(content)
        ? undefined
        : `${file} has no "// lumi add ${anchor}:" line to insert at; restore it (lumi upgrade --plan shows the template's file) and run again`,
  };
}

/** What a named generator's plan returns: the rest of the plan has defaults. */
type PlanBody = Pick<AddPlan, "data" | "creates"> &
  Partial<Pick<AddPlan, "edits" | "generated" | "next">>;

/** A generator whose argument is a kebab-case name (all but adr). */
function named(
  name: GeneratorName,
  description: string,
  plan: (argument: string, service: ServiceContext) => Promise<PlanBody>,
): Generator {
  return {
    name,
    description,
    argument: "name",
    validate: (argument) => validateKebabName(argument),
    plan: async (argument, service) => ({
      generator: name,
      name: argument,
      edits: [],
      generated: [],
      next: [],
      ...(await plan(argument, service)),
    }),
  };
}

/** A usage error for a name that already names something in the service. */
const taken = (what: string, where: string): LumiCliError =>
  new LumiCliError("state", `${what} exists already in ${where}; choose another name`);

const route = named(
  "route",
  "an HTTP route GET /v1/<name> in src/app/<name>/, with a component test",
  async (name, { manifest }) => {
    const data = commonData(name, manifest);
    const { pascal } = nameForms(name);
    const dir = `src/app/${name}`;
    return {
      data,
      creates: [
        { path: `${dir}/${name}-service.ts`, template: "service.ts.hbs" },
        { path: `${dir}/${name}-http-handler.ts`, template: "http-handler.ts.hbs" },
        { path: `test/${name}-http.test.ts`, template: "http.test.ts.hbs" },
      ],
      edits: [
        registration(
          "route",
          "mount the routes",
          { template: "  mount{{pascal}}Routes,\n" },
          `import { mount${pascal}Routes } from "./${name}/${name}-http-handler.ts";`,
        ),
      ],
      next: [`npx vitest run test/${name}-http.test.ts`],
    };
  },
);

/** Message and service names declared by the proto files of a directory. */
async function protoSymbols(dir: string): Promise<Map<string, string>> {
  const symbols = new Map<string, string>();
  if (!existsSync(dir)) return symbols;
  for (const file of (await readdir(dir)).filter((name) => name.endsWith(".proto"))) {
    const text = await readFile(path.join(dir, file), "utf8");
    for (const match of text.matchAll(/^\s*(?:message|service|enum)\s+(\w+)/gm)) {
      symbols.set(match[1] as string, file);
    }
  }
  return symbols;
}

const rpc = named(
  "rpc",
  "a Connect service proto/<package>/v1/<name>.proto: generated code, handler, test",
  async (name, { root, manifest }) => {
    if (!manifest.answers.rpc) {
      throw new LumiCliError(
        "usage",
        `${manifest.answers.name} was stamped without RPC (lumi new --no-rpc): it has no RPC listener to add ${name} to`,
      );
    }
    const data = commonData(name, manifest);
    const { pascal, camel, snake } = nameForms(name);
    const protoDir = `proto/${data.protoPackage}/v1`;
    const declared = await protoSymbols(path.join(root, protoDir));
    for (const symbol of [`${pascal}Service`, `Get${pascal}Request`, `Get${pascal}Response`]) {
      const file = declared.get(symbol);
      if (file !== undefined) throw taken(symbol, `${protoDir}/${file}`);
    }
    return {
      data,
      creates: [
        { path: `${protoDir}/${snake}.proto`, template: "service.proto.hbs" },
        { path: `src/app/${name}/${name}-rpc-handler.ts`, template: "rpc-handler.ts.hbs" },
        { path: `test/${name}-rpc.test.ts`, template: "rpc.test.ts.hbs" },
      ],
      edits: [
        registration(
          "rpc",
          "register the service",
          { template: "  {{camel}}Rpc,\n" },
          `import { ${camel}Rpc } from "./${name}/${name}-rpc-handler.ts";`,
        ),
      ],
      generated: [`src/gen/${data.protoPackage}/v1/${snake}_pb.ts`],
      next: ["npm run proto:lint", `npx vitest run test/${name}-rpc.test.ts`],
    };
  },
);

const dependency = named(
  "dependency",
  "an outbound dependency in src/app/dependencies.ts, its client and a test",
  async (name, { root, manifest }) => {
    const data = commonData(name, manifest);
    const declarations = await readFile(path.join(root, ANCHORS.dependency.file), "utf8").catch(
      () => "",
    );
    const key = /^[a-z][a-z0-9]*$/.test(name) ? name : `"${name}"`;
    if (new RegExp(`^\\s*"?${name}"?\\s*:`, "m").test(declarations)) {
      throw taken(`dependency ${name}`, ANCHORS.dependency.file);
    }
    return {
      data: { ...data, key },
      creates: [
        { path: `src/app/${name}/${name}-client.ts`, template: "client.ts.hbs" },
        { path: `test/${name}-dependency.test.ts`, template: "dependency.test.ts.hbs" },
      ],
      edits: [
        registration("dependency", "declare the dependency and its settings", {
          templateFile: "entry.ts.hbs",
        }),
      ],
      next: [
        `npm run env-example   # lists DEP_${data.constant}_* in .env.example`,
        `npx vitest run test/${name}-dependency.test.ts`,
      ],
    };
  },
);

/** The file names under migrations/, or none. */
const listDir = async (dir: string): Promise<string[]> =>
  existsSync(dir) ? (await readdir(dir)).sort() : [];

const repository = named(
  "repository",
  "a repository port, memory and SQL adapters, a migration, a contract test",
  async (name, { root, manifest }) => {
    const data = commonData(name, manifest);
    const { snake } = nameForms(name);
    const migrations = await listDir(path.join(root, "migrations"));
    const existing = migrations.find((file) => file.includes(`_create_${snake}.up.sql`));
    if (existing !== undefined)
      throw taken(`a migration creating ${snake}`, `migrations/${existing}`);
    const number = nextNumber(migrations, /^(\d+)_/);
    const migration = `${number}_create_${snake}`;
    const dir = `src/app/${name}`;
    return {
      data: { ...data, table: snake, migration },
      creates: [
        { path: `${dir}/${name}-repo.ts`, template: "repo.ts.hbs" },
        { path: `${dir}/memory-${name}-repo.ts`, template: "memory-repo.ts.hbs" },
        { path: `${dir}/postgres-${name}-repo.ts`, template: "sql-repo.ts.hbs" },
        { path: `migrations/${migration}.up.sql`, template: "up.sql.hbs" },
        { path: `migrations/${migration}.down.sql`, template: "down.sql.hbs" },
        { path: `test/${name}-repo-contract.ts`, template: "contract.ts.hbs" },
        { path: `test/${name}-repo-contract.test.ts`, template: "contract.test.ts.hbs" },
      ],
      next: [`npx vitest run test/${name}-repo-contract.test.ts`, "npm run migrate"],
    };
  },
);

const ADR_DIR = "docs/adr";
const ADR_INDEX = `${ADR_DIR}/README.md`;
const ADR_HEADER = "| ADR | title | status |\n|---|---|---|";

const adr: Generator = {
  name: "adr",
  description: "an architecture decision record docs/adr/NNNN-<title>.md, listed in its index",
  argument: "title",
  validate: (title) => validateTitle(title),
  async plan(title, { root, manifest, today }) {
    const files = await listDir(path.join(root, ADR_DIR));
    const number = nextNumber(files, /^(\d+)-.*\.md$/);
    const slug = slugOf(title);
    const file = `${number}-${slug}.md`;
    const row = `| [${number}](${file}) | ${tableCell(title)} | Proposed |`;
    const data = { service: manifest.answers.name, number, title, date: today, row };
    const hasIndex = files.includes("README.md");
    return {
      generator: "adr",
      name: `${number}-${slug}`,
      data,
      creates: [
        { path: `${ADR_DIR}/${file}`, template: "adr.md.hbs" },
        ...(hasIndex ? [] : [{ path: ADR_INDEX, template: "README.md.hbs" }]),
      ],
      edits: hasIndex
        ? [
            {
              path: ADR_INDEX,
              summary: "list the record",
              transform: (content: string) => appendTableRow(content, row, ADR_HEADER),
            },
          ]
        : [],
      generated: [],
      next: [],
    };
  },
};

/** Every generator by name. */
export const GENERATORS: Readonly<Record<GeneratorName, Generator>> = {
  route,
  rpc,
  dependency,
  repository,
  adr,
};

/** The generator called `name`, or a usage error listing them. */
export function generatorNamed(name: string): Generator {
  const found = (GENERATOR_NAMES as readonly string[]).includes(name)
    ? GENERATORS[name as GeneratorName]
    : undefined;
  if (found === undefined) {
    throw new LumiCliError(
      "usage",
      `unknown generator "${name}": use one of ${GENERATOR_NAMES.join(", ")}`,
    );
  }
  return found;
}
