import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import nodePlop, { type ActionType, type NodePlopAPI } from "node-plop";
import { LumiCliError } from "../../errors/index.ts";
import {
  hashContent,
  MANIFEST_PATH,
  type ManifestFile,
  readManifest,
  writeManifest,
} from "../../manifest/index.ts";
import { generateProtoCode } from "../../utils/codegen.ts";
import { cliRoot, cliVersion } from "../../utils/paths.ts";
import type { AddPlan, FileEdit } from "./generators.ts";
import { organizeImports } from "./imports.ts";

/** Where the generators' Handlebars templates live: `cli/templates/add/<generator>/`. */
export const TEMPLATES_DIR: string = path.join(cliRoot, "templates", "add");

/** A file as a plan would leave it, rendered in memory. */
export interface PreviewFile {
  readonly path: string;
  readonly action: "create" | "modify";
  readonly content: string;
  /** For a modified file, what the edit does. */
  readonly summary?: string;
}

/** Creates the plop instance a plan renders and runs with, writing under `root`. */
export async function createPlop(root: string): Promise<NodePlopAPI> {
  const plop = await nodePlop(undefined, { destBasePath: root, force: false });
  // {{#imports}} … {{/imports}}: the statements sorted and formatted as Biome wants them.
  plop.setHelper(
    "imports",
    function (this: unknown, options: { fn: (context: unknown) => string }) {
      return organizeImports(options.fn(this));
    },
  );
  return plop;
}

const templatePath = (plan: AddPlan, file: string): string =>
  path.join(TEMPLATES_DIR, plan.generator, file);

/** Applies an edit to a file's content in memory, exactly as plop's `modify` action does. */
export async function applyEdit(
  plop: NodePlopAPI,
  plan: AddPlan,
  edit: FileEdit,
  content: string,
): Promise<string> {
  let text = content;
  if (edit.pattern !== undefined) {
    const template =
      edit.templateFile === undefined
        ? (edit.template ?? "")
        : await readFile(templatePath(plan, edit.templateFile), "utf8");
    text = text.replace(edit.pattern, plop.renderString(template, { ...plan.data }));
  }
  return edit.transform === undefined ? text : edit.transform(text);
}

/**
 * Renders a plan in memory against the service at `root`, without writing:
 * the created files and the edited files as they would be. Refuses (a state
 * error listing every problem) when a file to create exists, a file to edit
 * is missing or has lost its anchor: nothing is written unless all is well.
 */
export async function previewPlan(
  plop: NodePlopAPI,
  plan: AddPlan,
  root: string,
): Promise<PreviewFile[]> {
  const problems: string[] = [];
  const files: PreviewFile[] = [];
  for (const file of [...plan.creates.map((c) => c.path), ...plan.generated]) {
    if (existsSync(path.join(root, file)))
      problems.push(`${file} exists; lumi add never overwrites`);
  }
  for (const created of plan.creates) {
    const template = await readFile(templatePath(plan, created.template), "utf8");
    const content = plop.renderString(template, { ...plan.data });
    files.push({ path: created.path, action: "create", content });
  }
  const edited = new Map<string, string>();
  for (const edit of plan.edits) {
    let content = edited.get(edit.path);
    if (content === undefined) {
      const target = path.join(root, edit.path);
      if (!existsSync(target)) {
        problems.push(
          `${edit.path} is missing; lumi add ${plan.generator} registers its code there`,
        );
        continue;
      }
      content = await readFile(target, "utf8");
    }
    const problem = edit.check?.(content);
    if (problem !== undefined) {
      problems.push(problem);
      continue;
    }
    edited.set(edit.path, await applyEdit(plop, plan, edit, content));
  }
  if (problems.length > 0) {
    throw new LumiCliError("state", `cannot add ${plan.generator} ${plan.name}`, {
      details: problems.map((problem) => `  ${problem}`),
    });
  }
  for (const [file, content] of edited) {
    const summaries = plan.edits.filter((e) => e.path === file).map((e) => e.summary);
    files.push({ path: file, action: "modify", content, summary: summaries.join(", ") });
  }
  return files;
}

/** The custom plop action types of `lumi add`. */
export const ACTION_CODEGEN = "lumi-codegen";
export const ACTION_MANIFEST = "lumi-manifest";

/**
 * Records a plan in the manifest: created and generated files as seeded with
 * their hash on disk, new hashes for the seeded files it edited, and a
 * `generated` entry.
 */
export async function recordInManifest(root: string, plan: AddPlan): Promise<void> {
  const manifest = await readManifest(root);
  const files: Record<string, ManifestFile> = { ...manifest.files };
  const hashOf = async (file: string) => hashContent(await readFile(path.join(root, file)));
  const added = [...plan.creates.map((c) => c.path), ...plan.generated].sort();
  for (const file of added) files[file] = { mode: "seeded", hash: await hashOf(file) };
  for (const file of new Set(plan.edits.map((e) => e.path))) {
    if (files[file]?.mode === "seeded") files[file] = { mode: "seeded", hash: await hashOf(file) };
  }
  await writeManifest(root, {
    ...manifest,
    files,
    generated: [
      ...manifest.generated,
      { generator: plan.generator, name: plan.name, files: added, templateVersion: cliVersion },
    ],
  });
}

/** The plop actions of a plan: add, modify, code generation, then the manifest. */
export function actionsOf(plan: AddPlan): ActionType[] {
  return [
    ...plan.creates.map((created) => ({
      type: "add" as const,
      path: created.path,
      templateFile: templatePath(plan, created.template),
      abortOnFail: true,
    })),
    ...plan.edits.map((edit) => ({
      type: "modify" as const,
      path: edit.path,
      // plop's modify needs a pattern or a transform; a pattern that matches nothing is neither.
      pattern: edit.pattern ?? /(?!)/,
      ...(edit.templateFile === undefined
        ? { template: edit.template ?? "" }
        : { templateFile: templatePath(plan, edit.templateFile) }),
      ...(edit.transform === undefined
        ? {}
        : { transform: (content: string) => (edit.transform as (c: string) => string)(content) }),
      abortOnFail: true,
    })),
    ...(plan.generated.length > 0 ? [{ type: ACTION_CODEGEN, abortOnFail: true }] : []),
    { type: ACTION_MANIFEST, abortOnFail: true },
  ];
}

/**
 * Runs a plan with plop: `add` for each created file (refusing existing
 * ones), `modify` for each edit, then the custom actions generating the
 * proto code (buf generate) and recording everything in the manifest.
 */
export async function applyPlan(plop: NodePlopAPI, plan: AddPlan, root: string): Promise<void> {
  // A tool's own error (buf's output) is worth more than plop's one-line failure.
  let toolError: LumiCliError | undefined;
  plop.setActionType(ACTION_CODEGEN, () => {
    try {
      generateProtoCode(root);
    } catch (error) {
      if (error instanceof LumiCliError) toolError = error;
      throw error;
    }
    const missing = plan.generated.filter((file) => !existsSync(path.join(root, file)));
    if (missing.length > 0) throw new Error(`buf generate did not write ${missing.join(", ")}`);
    return plan.generated.join(", ");
  });
  plop.setActionType(ACTION_MANIFEST, async () => {
    await recordInManifest(root, plan);
    return MANIFEST_PATH;
  });
  plop.setGenerator(plan.generator, {
    description: `lumi add ${plan.generator}`,
    prompts: [],
    actions: actionsOf(plan),
  });
  const { failures } = await plop.getGenerator(plan.generator).runActions({ ...plan.data });
  const leftover =
    "files written before the failure stay: check `git status` and remove them before running again";
  if (toolError !== undefined) {
    throw new LumiCliError("tool", toolError.message, {
      cause: toolError,
      details: [...toolError.details, leftover],
    });
  }
  const failed = failures.filter((f) => f.error !== "Aborted due to previous action failure");
  if (failed.length > 0) {
    const [first] = failed;
    const where = first?.path ? ` (${first.path})` : "";
    throw new LumiCliError(
      "failed",
      `lumi add ${plan.generator} ${plan.name} failed: ${first?.error ?? "an action failed"}${where}`,
      { details: [leftover] },
    );
  }
}
