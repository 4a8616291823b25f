import { readFile } from "node:fs/promises";
import path from "node:path";
import { type Document, isMap, isScalar, LineCounter, type Pair, parseDocument } from "yaml";
import { LumiCliError } from "../errors/index.ts";
import type { Finding } from "./types.ts";

/** Reads a file of the service as text; undefined when it does not exist. */
export async function readServiceFile(dir: string, file: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(dir, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

/** Reads an optional JSON file of the service; throws a state error when it is not JSON. */
export async function readJsonFile(
  dir: string,
  file: string,
): Promise<{ readonly text: string; readonly value: unknown } | undefined> {
  const text = await readServiceFile(dir, file);
  if (text === undefined) return undefined;
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new LumiCliError("state", `${file} is not valid JSON`, { cause: error });
  }
}

/** A YAML (or JSON, which YAML reads too) document that knows its line numbers. */
export interface LocatedDocument {
  readonly file: string;
  readonly doc: Document;
  /** Parse errors as findings; the document is unusable when there are any. */
  readonly errors: readonly Finding[];
  /** The 1-based line of a character offset. */
  line(offset: number): number;
}

/** Parses YAML or JSON text, keeping source positions. */
export function parseLocated(text: string, file: string): LocatedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const errors = doc.errors.map((error) => ({
    message: `cannot be parsed: ${error.message.split("\n")[0]}`,
    file,
    line: lineCounter.linePos(error.pos[0]).line,
  }));
  return { file, doc, errors, line: (offset) => lineCounter.linePos(offset).line };
}

/** The pair with the given key when `node` is a mapping. */
export function findPair(node: unknown, key: string): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
}

/** The line of a pair's key. */
export function pairLine(source: LocatedDocument, pair: Pair): number | undefined {
  const start = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  return start === undefined ? undefined : source.line(start);
}

/** The line of the deepest key of `keys` present in the document (the nearest place to fix). */
export function keyLine(source: LocatedDocument, keys: readonly string[]): number | undefined {
  let node: unknown = source.doc.contents;
  let line: number | undefined;
  for (const key of keys) {
    const pair = findPair(node, key);
    if (pair === undefined) break;
    line = pairLine(source, pair) ?? line;
    node = pair.value;
  }
  return line;
}

/** The plain value of a parsed document, or undefined when it did not parse. */
export function plainValue(source: LocatedDocument): unknown {
  return source.errors.length > 0 ? undefined : source.doc.toJS();
}

/** Whether a value is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
