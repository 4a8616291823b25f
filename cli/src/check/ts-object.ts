import type { Token } from "./ts-tokens.ts";

/** What an object literal is made of, as far as can be read without running it. */
export interface ObjectMembers {
  /** Property names, with the offset of each. */
  readonly keys: readonly { readonly name: string; readonly offset: number }[];
  /** Spread identifiers (`...a` or `...ns.a`), with their offset. */
  readonly spreads: readonly { readonly path: readonly string[]; readonly offset: number }[];
  /** Members that cannot be read statically (computed keys, spread expressions). */
  readonly unreadable: readonly { readonly what: string; readonly offset: number }[];
}

/** Where an imported (or re-exported) binding comes from. */
export interface ImportedName {
  readonly module: string;
  /** The exported name, `*` for a namespace, `default` for a default import. */
  readonly imported: string;
}

const is = (token: Token | undefined, text: string) =>
  token?.kind === "punct" && token.text === text;
const isName = (token: Token | undefined, text?: string) =>
  token?.kind === "name" && (text === undefined || token.text === text);

/** The index just past the value starting at `start`: the `,` or `}` ending it. */
function skipValue(tokens: readonly Token[], start: number): number {
  let depth = 0;
  let i = start;
  for (; i < tokens.length; i += 1) {
    const text = tokens[i]?.kind === "punct" ? tokens[i]?.text : "";
    if (depth === 0 && (text === "," || text === "}")) return i;
    if (text === "(" || text === "[" || text === "{") depth += 1;
    if (text === ")" || text === "]" || text === "}") depth -= 1;
  }
  return i;
}

/** The index of the `{` opening the object literal `const <name> = {…}`, if there is one. */
export function findObjectLiteral(tokens: readonly Token[], name: string): number | undefined {
  for (let i = 0; i < tokens.length - 2; i += 1) {
    const declared = ["const", "let", "var"].some((keyword) => isName(tokens[i], keyword));
    if (!declared || !isName(tokens[i + 1], name)) continue;
    let j = i + 2;
    let depth = 0;
    for (; j < tokens.length; j += 1) {
      const token = tokens[j];
      if (depth === 0 && is(token, "=") && !is(tokens[j + 1], ">")) break;
      if (is(token, "(") || is(token, "[") || is(token, "{")) depth += 1;
      if (is(token, ")") || is(token, "]") || is(token, "}")) depth -= 1;
      if (depth < 0 || is(token, ";")) break;
    }
    if (!is(tokens[j], "=")) continue;
    // Allow a wrapper call such as Object.freeze({ … }).
    let k = j + 1;
    while (isName(tokens[k]) || is(tokens[k], ".") || is(tokens[k], "(")) k += 1;
    if (is(tokens[k], "{")) return k;
  }
  return undefined;
}

/** Reads the members of the object literal whose `{` is at `open`. */
export function readMembers(tokens: readonly Token[], open: number): ObjectMembers {
  const keys: { name: string; offset: number }[] = [];
  const spreads: { path: string[]; offset: number }[] = [];
  const unreadable: { what: string; offset: number }[] = [];
  let i = open + 1;
  while (i < tokens.length && !is(tokens[i], "}")) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1];
    if (is(token, ",")) {
      i += 1;
      continue;
    }
    if (is(token, "...")) {
      const path: string[] = [];
      let k = i + 1;
      if (isName(tokens[k])) {
        path.push((tokens[k] as Token).text);
        for (k += 1; is(tokens[k], ".") && isName(tokens[k + 1]); k += 2) {
          path.push((tokens[k + 1] as Token).text);
        }
      }
      const end = skipValue(tokens, i + 1);
      if (path.length > 0 && end === k) spreads.push({ path, offset: token.offset });
      else unreadable.push({ what: "a spread of an expression", offset: token.offset });
      i = end;
    } else if (token.kind !== "punct" && (is(next, ":") || is(next, ",") || is(next, "}"))) {
      keys.push({ name: token.text, offset: token.offset });
      i = is(next, ":") ? skipValue(tokens, i + 2) : i + 1;
    } else if (is(token, "[")) {
      unreadable.push({ what: "a computed key", offset: token.offset });
      i = skipValue(tokens, i);
    } else {
      i = skipValue(tokens, i + 1); // a method or accessor: no configuration key
    }
  }
  return { keys, spreads, unreadable };
}

/** The names a module imports (`import {a as b} from`) or re-exports (`export {a} from`). */
export function importedNames(tokens: readonly Token[], keyword: "import" | "export") {
  const names = new Map<string, ImportedName>();
  const stars: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    if (!isName(tokens[i], keyword) || isName(tokens[i + 1], "type")) continue;
    const specifiers: [string, string][] = [];
    let j = i + 1;
    if (is(tokens[j], "*")) {
      const local = isName(tokens[j + 1], "as") ? tokens[j + 2]?.text : undefined;
      specifiers.push(["*", local ?? "*"]);
      j += local === undefined ? 1 : 3;
    } else if (isName(tokens[j]) && !isName(tokens[j], "from")) {
      specifiers.push(["default", (tokens[j] as Token).text]);
      j += is(tokens[j + 1], ",") ? 2 : 1;
    }
    if (is(tokens[j], "{")) {
      for (j += 1; j < tokens.length && !is(tokens[j], "}"); j += 1) {
        if (!isName(tokens[j]) || isName(tokens[j], "type")) continue;
        const imported = (tokens[j] as Token).text;
        const renamed = isName(tokens[j + 1], "as");
        specifiers.push([imported, renamed ? (tokens[j + 2]?.text ?? imported) : imported]);
        if (renamed) j += 2;
      }
      j += 1;
    }
    if (!isName(tokens[j], "from") || tokens[j + 1]?.kind !== "string") continue;
    const module = (tokens[j + 1] as Token).text;
    for (const [imported, local] of specifiers) {
      if (keyword === "export" && local === "*") stars.push(module);
      else names.set(local, { module, imported });
    }
  }
  return { names, stars };
}
