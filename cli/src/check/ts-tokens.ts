/** A lexical token of TypeScript source: enough to read object literals and imports. */
export interface Token {
  readonly kind: "name" | "string" | "template" | "number" | "regex" | "punct";
  /** The identifier, the punctuator, or a string literal's value. */
  readonly text: string;
  /** Offset of the token's first character. */
  readonly offset: number;
}

const nameStart = /[A-Za-z_$]/;
const namePart = /[\w$]/;
/** After these, a `/` starts a division rather than a regular expression. */
const divisionAfter = new Set(["name", "string", "template", "number", "regex"]);

function skipQuoted(source: string, start: number): { end: number; value: string } {
  const quote = source[start];
  let value = "";
  let i = start + 1;
  while (i < source.length && source[i] !== quote && source[i] !== "\n") {
    if (source[i] === "\\") i += 1;
    value += source[i] ?? "";
    i += 1;
  }
  return { end: i + 1, value };
}

function skipRegex(source: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  while (i < source.length && source[i] !== "\n") {
    const c = source[i];
    if (c === "\\") i += 1;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) break;
    i += 1;
  }
  i += 1;
  while (i < source.length && namePart.test(source[i] as string)) i += 1;
  return i;
}

/** Skips a template literal from its opening backtick, `${…}` parts included; returns its end. */
function skipTemplate(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length && source[i] !== "`") {
    if (source[i] === "\\") i += 2;
    else if (source[i] === "$" && source[i + 1] === "{") i = scan(source, i + 2, []).end;
    else i += 1;
  }
  return i + 1;
}

/**
 * Tokenizes from `start` until the end, or until a `}` closing more braces
 * than were opened (the end of a template's `${…}`), which is consumed.
 */
function scan(source: string, start: number, tokens: Token[]): { end: number; closed: boolean } {
  let depth = 0;
  let i = start;
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (/\s/.test(c)) i += 1;
    else if (c === "/" && next === "/") {
      const eol = source.indexOf("\n", i);
      i = eol === -1 ? source.length : eol;
    } else if (c === "/" && next === "*") {
      const close = source.indexOf("*/", i + 2);
      i = close === -1 ? source.length : close + 2;
    } else if (c === '"' || c === "'") {
      const { end, value } = skipQuoted(source, i);
      tokens.push({ kind: "string", text: value, offset: i });
      i = end;
    } else if (c === "`") {
      const end = skipTemplate(source, i);
      tokens.push({ kind: "template", text: source.slice(i, end), offset: i });
      i = end;
    } else if (nameStart.test(c)) {
      let end = i + 1;
      while (end < source.length && namePart.test(source[end] as string)) end += 1;
      tokens.push({ kind: "name", text: source.slice(i, end), offset: i });
      i = end;
    } else if (/\d/.test(c)) {
      let end = i + 1;
      while (end < source.length && /[\w.]/.test(source[end] as string)) end += 1;
      tokens.push({ kind: "number", text: source.slice(i, end), offset: i });
      i = end;
    } else if (
      c === "/" &&
      !divisionAfter.has(tokens.at(-1)?.kind ?? "") &&
      !/[)\]}]/.test(tokens.at(-1)?.text ?? "")
    ) {
      const end = skipRegex(source, i);
      tokens.push({ kind: "regex", text: source.slice(i, end), offset: i });
      i = end;
    } else if (source.startsWith("...", i)) {
      tokens.push({ kind: "punct", text: "...", offset: i });
      i += 3;
    } else {
      if (c === "{") depth += 1;
      if (c === "}" && depth-- === 0) return { end: i + 1, closed: true };
      tokens.push({ kind: "punct", text: c, offset: i });
      i += 1;
    }
  }
  return { end: i, closed: false };
}

/** Splits TypeScript source into tokens, dropping comments and whitespace. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let start = 0;
  // A stray `}` at the top level ends scan early; keep going past it.
  while (start < source.length) {
    const { end, closed } = scan(source, start, tokens);
    if (closed) tokens.push({ kind: "punct", text: "}", offset: end - 1 });
    start = end;
  }
  return tokens;
}
