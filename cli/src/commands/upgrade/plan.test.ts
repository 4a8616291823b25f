import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Answers, hashContent, type Manifest } from "../../manifest/index.ts";
import { parseTemplateMeta, type TemplateSource } from "../../template/index.ts";
import { planUpgrade } from "./plan.ts";

const answers: Answers = {
  name: "svc",
  rpc: true,
  database: "embedded",
  redis: true,
  owner: "@a/b",
  registry: "r",
  chartRepository: "c",
  platformRepository: "p",
};
const meta = parseTemplateMeta(
  JSON.stringify({
    ownership: [
      { glob: "managed/**", mode: "managed" },
      { glob: "merged/**", mode: "merged" },
      { glob: "**", mode: "seeded" },
    ],
  }),
);
const work = mkdtempSync(path.join(tmpdir(), "lumi-plan-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A service directory with `files` (and merge bases), and a manifest recording `recorded`. */
function service(
  name: string,
  files: Record<string, string>,
  recorded: Record<string, [Manifest["files"][string]["mode"], string]>,
  bases: Record<string, string> = {},
): { root: string; manifest: Manifest } {
  const root = path.join(work, name);
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  for (const [file, text] of Object.entries(files)) write(file, text);
  for (const [file, text] of Object.entries(bases)) write(`.lumi/base/${file}`, text);
  const manifest: Manifest = {
    schema: 1,
    templateVersion: "0.0.1",
    answers,
    files: Object.fromEntries(
      Object.entries(recorded).map(([file, [mode, text]]) => [
        file,
        { mode, hash: hashContent(text) },
      ]),
    ),
    generated: [
      { generator: "route", name: "x", files: ["src/app/x.ts"], templateVersion: "0.0.1" },
    ],
  };
  return { root, manifest };
}

const template = (files: Record<string, string>): TemplateSource => ({
  version: "0.0.2",
  meta,
  files: new Map(Object.entries(files).map(([file, text]) => [file, Buffer.from(text)])),
});

describe("planUpgrade", () => {
  it("when files meet the new template then each gets the action its mode and history call for", async () => {
    const { root, manifest } = service(
      "mixed",
      {
        "managed/same.ts": "old",
        "managed/edited.ts": "mine",
        "managed/gone.ts": "old",
        "merged/clean.txt": "a\nb\nc\n",
        "merged/nobase.txt": "mine\n",
        "seeded/app.ts": "mine",
        "managed/collide.ts": "mine",
        "src/app/x.ts": "generated",
      },
      {
        "managed/same.ts": ["managed", "old"],
        "managed/edited.ts": ["managed", "old"],
        "managed/gone.ts": ["managed", "old"],
        "merged/clean.txt": ["merged", "a\nb\nc\n"],
        "merged/nobase.txt": ["merged", "base\n"],
        "seeded/app.ts": ["seeded", "old"],
        "src/app/x.ts": ["seeded", "generated"],
      },
      { "merged/clean.txt": "a\nb\nc\n" },
    );
    const plan = await planUpgrade(
      root,
      manifest,
      template({
        "managed/same.ts": "new",
        "managed/edited.ts": "new",
        "merged/clean.txt": "a\nb\nc\nd\n",
        "merged/nobase.txt": "theirs\n",
        "seeded/app.ts": "new",
        "managed/collide.ts": "template",
        "managed/added.ts": "added",
      }),
    );
    const actions = Object.fromEntries(plan.files.map((f) => [f.path, f.action]));
    expect(actions).toEqual({
      "managed/added.ts": "add",
      "managed/collide.ts": "blocked",
      "managed/edited.ts": "blocked",
      "managed/gone.ts": "delete",
      "managed/same.ts": "replace",
      "merged/clean.txt": "replace",
      "merged/nobase.txt": "conflict",
      "seeded/app.ts": "skip",
      "src/app/x.ts": "skip",
    });
    expect(plan).toMatchObject({ from: "0.0.1", to: "0.0.2" });
  });

  it("when a removed file was edited locally then it is kept, whatever its mode", async () => {
    const { root, manifest } = service(
      "removed",
      { "managed/old.ts": "edited", "merged/old.txt": "edited\n" },
      { "managed/old.ts": ["managed", "old"], "merged/old.txt": ["merged", "old\n"] },
      { "merged/old.txt": "old\n" },
    );
    const plan = await planUpgrade(root, manifest, template({}));
    expect(plan.files.map((f) => [f.path, f.action])).toEqual([
      ["managed/old.ts", "keep"],
      ["merged/old.txt", "keep"],
    ]);
  });
});
