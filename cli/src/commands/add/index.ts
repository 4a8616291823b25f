import path from "node:path";
import type { Command } from "commander";
import { LumiCliError } from "../../errors/index.ts";
import { MANIFEST_PATH, readManifest } from "../../manifest/index.ts";
import { canPrompt } from "../../utils/interactive.ts";
import { createOutput, type GlobalOptions } from "../../utils/output.ts";
import { type AddPlan, GENERATOR_NAMES, type Generator, generatorNamed } from "./generators.ts";
import { applyPlan, createPlop, previewPlan } from "./runner.ts";

/** The options of `lumi add`. */
export interface AddOptions extends GlobalOptions {
  /** The service to add to (default: the current directory). */
  readonly directory?: string;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  /** Today, for ADR dates (tests). */
  readonly today?: string;
}

/** What `lumi add` did, or would do with --dry-run. */
export interface AddResult extends Pick<AddPlan, "generator" | "name" | "generated" | "next"> {
  readonly directory: string;
  readonly dryRun: boolean;
  readonly created: readonly string[];
  readonly modified: readonly string[];
}

/** Asks for the generator's argument with plop's prompt, validating as the flag would be. */
async function promptArgument(generator: Generator, root: string): Promise<string> {
  const plop = await createPlop(root);
  plop.setGenerator(`add-${generator.name}`, {
    description: generator.description,
    prompts: [
      {
        type: "input",
        name: "argument",
        message: `${generator.name} ${generator.argument}`,
        validate: (value: string) => {
          try {
            generator.validate(value);
            return true;
          } catch (error) {
            return (error as Error).message;
          }
        },
      },
    ],
    actions: [],
  });
  const answers = (await plop.getGenerator(`add-${generator.name}`).runPrompts()) as {
    argument: string;
  };
  return answers.argument;
}

/** The generator's argument from the words given, prompting only when allowed. */
async function argumentOf(
  generator: Generator,
  words: readonly string[],
  options: AddOptions,
  root: string,
): Promise<string> {
  if (words.length === 0) {
    if (canPrompt(options.yes)) return generator.validate(await promptArgument(generator, root));
    throw new LumiCliError(
      "usage",
      `missing ${generator.argument}: lumi add ${generator.name} <${generator.argument}>`,
    );
  }
  // A title may come as several words; a name is one word.
  if (generator.argument !== "title" && words.length > 1) {
    throw new LumiCliError(
      "usage",
      `lumi add ${generator.name} takes one ${generator.argument}, got ${words.length}: ${words.join(" ")}`,
    );
  }
  return generator.validate(words.join(" "));
}

/** Runs `lumi add <generator> <name>`. */
export async function runAdd(
  generatorName: string,
  words: readonly string[],
  options: AddOptions,
): Promise<AddResult> {
  const output = createOutput(options);
  const generator = generatorNamed(generatorName);
  const root = path.resolve(options.directory ?? ".");
  const argument = await argumentOf(generator, words, options, root);
  const manifest = await readManifest(root);
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const plan = await generator.plan(argument, { root, manifest, today });
  const plop = await createPlop(root);
  const preview = await previewPlan(plop, plan, root);
  const dryRun = options.dryRun === true;
  const created = preview.filter((f) => f.action === "create").map((f) => f.path);
  const modified = preview.filter((f) => f.action === "modify").map((f) => f.path);
  if (!dryRun) await applyPlan(plop, plan, root);
  const result: AddResult = {
    generator: plan.generator,
    name: plan.name,
    directory: root,
    dryRun,
    created,
    modified,
    generated: plan.generated,
    next: plan.next,
  };
  output.result(result);
  const lines = [
    dryRun
      ? `would add ${generator.name} ${plan.name} to ${root}:`
      : `${output.style("green", "✔")} ${generator.name} ${plan.name}: ${created.length + plan.generated.length} files added, ${modified.length} changed`,
    ...preview.map(
      (f) => `  ${f.action.padEnd(8)} ${f.path}${f.summary === undefined ? "" : ` (${f.summary})`}`,
    ),
    ...plan.generated.map((file) => `  ${"generate".padEnd(8)} ${file} (buf generate)`),
    `  ${"record".padEnd(8)} ${MANIFEST_PATH}`,
  ];
  if (!dryRun && plan.next.length > 0) lines.push("", "next:", ...plan.next.map((c) => `  ${c}`));
  output.text(lines.join("\n"));
  return result;
}

/** Registers `lumi add` on the program. */
export function registerAdd(program: Command): void {
  program
    .command("add")
    .description(
      "add code with its test to a stamped service: route, rpc, dependency, repository, adr",
    )
    .argument("<generator>", `what to add: ${GENERATOR_NAMES.join(", ")}`)
    .argument("[name...]", "a kebab-case name (e.g. payment-methods); for adr, the title")
    .option("--directory <service>", "the service to add to (default: the current directory)")
    .option("--dry-run", "print what would be written; write nothing")
    .option("-y, --yes", "never prompt for a missing name")
    .addHelpText(
      "after",
      [
        "",
        "Generators:",
        ...GENERATOR_NAMES.map(
          (name) => `  ${name.padEnd(11)} ${generatorNamed(name).description}`,
        ),
        "",
        "Examples:",
        "  lumi add route payment-methods",
        "  lumi add rpc ledger --directory services/payments",
        '  lumi add adr "Use PostgreSQL for orders" --dry-run',
      ].join("\n"),
    )
    .action(async (generator: string, words: string[], options: AddOptions, command: Command) => {
      await runAdd(generator, words, { ...command.optsWithGlobals(), ...options });
    });
}
