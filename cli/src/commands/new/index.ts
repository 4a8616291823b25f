import path from "node:path";
import type { Command } from "commander";
import nodePlop from "node-plop";
import { LumiCliError } from "../../errors/index.ts";
import type { Answers } from "../../manifest/index.ts";
import { renderTemplate, resolveTemplate } from "../../template/index.ts";
import { initialCommit } from "../../utils/git.ts";
import { canPrompt } from "../../utils/interactive.ts";
import { createOutput, type GlobalOptions } from "../../utils/output.ts";
import {
  type AnswerFlags,
  completeAnswers,
  defaultsFor,
  validateDatabase,
  validateName,
  validateOwner,
} from "./answers.ts";
import { isAbsentOrEmpty, type StampResult, stampService } from "./stamp.ts";

/** The options of `lumi new`. */
export interface NewOptions extends AnswerFlags, GlobalOptions {
  readonly directory?: string;
  readonly git?: boolean;
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly template?: string;
}

/** Asks, with plop's prompts, the questions whose flags were not given. */
async function promptMissing(name: string, flags: AnswerFlags): Promise<AnswerFlags> {
  const plop = await nodePlop(undefined, { destBasePath: process.cwd(), force: false });
  // The registry defaults follow the owner's organisation, whether asked or given as a flag.
  const ownerOf = (asked: AnswerFlags) => asked.owner ?? flags.owner ?? "@team";
  const questions = [
    flags.owner === undefined && {
      type: "input",
      name: "owner",
      message: "Owning team (CODEOWNERS), e.g. @acme/payments",
      validate: (value: string) => {
        try {
          validateOwner(value);
          return true;
        } catch (error) {
          return (error as Error).message;
        }
      },
    },
    flags.rpc === undefined && {
      type: "confirm",
      name: "rpc",
      message: "Connect RPC listener?",
      default: true,
    },
    flags.database === undefined && {
      type: "list",
      name: "database",
      message: "Data store",
      choices: ["embedded", "postgres"],
      default: "embedded",
    },
    flags.redis === undefined && {
      type: "confirm",
      name: "redis",
      message: "Redis (shared cache tier and rate limit)?",
      default: true,
    },
    flags.registry === undefined && {
      type: "input",
      name: "registry",
      message: "Image registry",
      default: (asked: AnswerFlags) => defaultsFor(ownerOf(asked)).registry,
    },
    flags.chartRepository === undefined && {
      type: "input",
      name: "chartRepository",
      message: "Helm chart repository",
      default: (asked: AnswerFlags) => defaultsFor(ownerOf(asked)).chartRepository,
    },
  ].filter((question) => question !== false);
  plop.setGenerator("new", {
    description: `a new service ${name}`,
    prompts: questions,
    actions: [],
  });
  const asked = (await plop.getGenerator("new").runPrompts()) as AnswerFlags;
  return { ...flags, ...asked };
}

/** Runs `lumi new`. */
export async function runNew(name: string, options: NewOptions): Promise<StampResult | undefined> {
  const output = createOutput(options);
  validateName(name);
  if (options.database !== undefined) validateDatabase(options.database);
  const root = path.resolve(options.directory ?? name);
  if (!(await isAbsentOrEmpty(root))) {
    throw new LumiCliError("usage", `${root} exists and is not empty; choose another --directory`);
  }
  const flags = canPrompt(options.yes) ? await promptMissing(name, options) : options;
  const answers: Answers = completeAnswers(name, flags);
  const source = await resolveTemplate({ dir: options.template });
  const git = options.git ?? true;
  if (options.dryRun === true) {
    const files = renderTemplate(source, answers);
    output.result({
      dryRun: true,
      directory: root,
      templateVersion: source.version,
      answers,
      files: files.map(({ path: p, mode }) => ({ path: p, mode })),
    });
    output.text(`would stamp ${files.length} files into ${root} (template ${source.version}):`);
    for (const file of files) output.text(`  ${file.mode.padEnd(7)} ${file.path}`);
    return undefined;
  }
  output.info(`stamping ${name} from template ${source.version} into ${root}`);
  const result = await stampService(root, source, answers);
  if (git) initialCommit(root, `Stamp ${name} from the lumi template ${source.version}`);
  output.result({
    directory: root,
    templateVersion: source.version,
    answers,
    git,
    files: result.files.map(({ path: p, mode }) => ({ path: p, mode })),
  });
  output.text(
    [
      `${output.style("green", "✔")} ${name}: ${result.files.length} files${git ? ", committed" : ""}`,
      "",
      "next:",
      `  cd ${path.relative(process.cwd(), root) || "."}`,
      "  npm install",
      "  npm test",
      "  npm run dev",
    ].join("\n"),
  );
  return result;
}

/** Registers `lumi new` on the program. */
export function registerNew(program: Command): void {
  program
    .command("new")
    .description("stamp a new service from the template")
    .argument("<name>", "service name: a DNS-1123 label, e.g. payments-api")
    .option("--directory <dir>", "where to create it (default: ./<name>)")
    .option("--owner <team>", "owning team for CODEOWNERS, e.g. @acme/payments (required)")
    .option("--rpc", "with the Connect RPC listener (default)")
    .option("--no-rpc", "without RPC: no proto, no RPC listener or code")
    .option("--database <store>", "default data store: embedded (default) or postgres")
    .option("--redis", "with Redis: shared cache tier and rate limit (default)")
    .option("--no-redis", "without Redis: in-process cache and rate limit only")
    .option("--registry <prefix>", "image registry prefix (default: ghcr.io/<org of owner>)")
    .option(
      "--chart-repository <url>",
      "Helm chart repository (default: oci://ghcr.io/<org>/charts)",
    )
    .option(
      "--platform-repository <owner/name>",
      "repository of lumi's reusable workflows (default: <org>/lumi)",
    )
    .option("--git", "git init and a first commit (default)")
    .option("--no-git", "leave git alone")
    .option("-y, --yes", "take the defaults; never prompt")
    .option("--dry-run", "print what would be written; write nothing")
    .option("--template <dir>", "stamp from this template directory instead of the bundled one")
    .action(async (name: string, options: NewOptions, command: Command) => {
      await runNew(name, { ...command.optsWithGlobals(), ...options });
    });
}
