import { type Document, isMap, isScalar, parseAllDocuments, visit, type YAMLMap } from "yaml";
import {
  finishMerge,
  mergeFinalNewline,
  splitLines,
  takeTheirsIfUntouched,
  toLf,
} from "./lines.ts";
import { mergeText } from "./text.ts";
import type { MergeInput, MergeResult } from "./types.ts";
import { mergeMeta } from "./yaml-comments.ts";
import { mergeYamlMaps } from "./yaml-map.ts";
import { renderOntoOurs, writeConflicts } from "./yaml-render.ts";

/** A parsed YAML file whose top level is a mapping. */
type MappingDocument = Document.Parsed & { contents: YAMLMap.Parsed };

const UNSUPPORTED = Symbol("unsupported");
const TOKEN_PREFIX = "__lumi_merge_conflict_";

/** Whether the merge can work on this document key by key: no anchors, aliases or complex keys. */
function isPlain(document: Document): boolean {
  let plain = true;
  visit(document, {
    Alias: () => {
      plain = false;
      return visit.BREAK;
    },
    Node: (_, node) => {
      if (node.anchor) plain = false;
    },
    Pair: (_, pair) => {
      if (!isScalar(pair.key)) plain = false;
    },
  });
  return plain;
}

/** Parses one file: a mapping document, null for an empty file, or UNSUPPORTED. */
function load(text: string): MappingDocument | null | typeof UNSUPPORTED {
  const documents = parseAllDocuments(text);
  if (documents.length === 0) return null;
  const [document] = documents;
  if (documents.length > 1 || !document) return UNSUPPORTED;
  if (document.errors.length > 0 || document.warnings.length > 0) return UNSUPPORTED;
  if (!isMap(document.contents) || !isPlain(document)) return UNSUPPORTED;
  return document as MappingDocument;
}

/**
 * Merges YAML (Helm values files, workflows) key by key with the same rules as `mergeJson`,
 * on the `yaml` Document API so that ours' comments, key order and formatting survive: lines
 * the merge does not touch keep ours' exact text, and a comment theirs changed is taken where
 * ours kept base's. Sequences merge as values (string sequences element by element). A conflict
 * is written as the local and the template lines of that key between git-style markers. Files
 * that do not parse, hold several documents, anchors, aliases or complex keys, or whose top
 * level is not a mapping, are merged as text. An empty base counts as absent.
 */
export function mergeYaml(input: MergeInput): MergeResult {
  const texts = { base: toLf(input.base), ours: toLf(input.ours), theirs: toLf(input.theirs) };
  if (Object.values(texts).some((text) => text.includes(TOKEN_PREFIX))) return mergeText(input);
  const [base, ours, theirs] = [texts.base, texts.ours, texts.theirs].map(load);
  if (base === UNSUPPORTED || !ours || ours === UNSUPPORTED || !theirs || theirs === UNSUPPORTED) {
    return mergeText(input);
  }
  const untouched = takeTheirsIfUntouched(input, "yaml");
  if (untouched) return untouched;
  const merged = ours.clone() as MappingDocument;
  const state = { tokenPrefix: TOKEN_PREFIX, conflicts: [] };
  mergeYamlMaps(base?.contents ?? undefined, merged.contents, theirs.contents, [], state);
  mergeMeta(merged, base, ours, theirs);
  const lines = renderOntoOurs(texts.ours, ours, merged);
  const output = writeConflicts(lines, state.conflicts, texts, input.theirsLabel);
  if (!output) return mergeText(input);
  const finalNewline = mergeFinalNewline(
    splitLines(texts.base),
    splitLines(texts.ours),
    splitLines(texts.theirs),
  );
  return finishMerge(input, "yaml", output, finalNewline);
}
