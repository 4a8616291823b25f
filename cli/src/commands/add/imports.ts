/**
 * Import statements as Biome's formatter and organizeImports leave them, so
 * generated files pass `biome ci` whatever the names: statements sorted by
 * module, names sorted within braces, long statements broken one name a line.
 */

/** The formatter's line width (biome.json). */
export const LINE_WIDTH = 100;

/** Splits text into runs of digits and single other characters. */
const tokens = (text: string): string[] => text.match(/\d+|\D/g) ?? [];

/** Punctuation sorts first, then digits, then letters. */
function rank(token: string): number {
  if (/^\d/.test(token)) return 10;
  if (/^[a-z]$/i.test(token)) return 20;
  return ".:_-@".includes(token) ? ".:_-@".indexOf(token) : 5;
}

/**
 * Biome's natural order of two names or path segments: numbers by value,
 * letters case-insensitively with upper case first on the first letter that
 * differs only in case.
 */
export function compareNatural(a: string, b: string): number {
  const left = tokens(a);
  const right = tokens(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    const byRank = rank(x) - rank(y);
    if (byRank !== 0) return byRank;
    if (rank(x) === 10) {
      if (Number(x) !== Number(y)) return Number(x) - Number(y);
      continue;
    }
    const lower = x.toLowerCase().localeCompare(y.toLowerCase(), "en");
    if (lower !== 0) return lower;
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** Where a module sorts: `node:` built-ins, packages, then `../` paths, then `./` paths. */
function moduleGroup(from: string): number {
  if (from.startsWith("node:") || from.startsWith("bun:")) return 0;
  if (from.startsWith("../")) return 2;
  if (from.startsWith("./")) return 3;
  return 1;
}

/** Compares two module specifiers in Biome's import order. */
export function compareModules(a: string, b: string): number {
  const byGroup = moduleGroup(a) - moduleGroup(b);
  if (byGroup !== 0) return byGroup;
  const left = a.split("/");
  const right = b.split("/");
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = compareNatural(left[i] as string, right[i] as string);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** One import statement. */
interface ImportStatement {
  readonly from: string;
  /** `import type { … }` */
  readonly typeOnly: boolean;
  /** The names in braces, as written (`type X` included); undefined for other forms. */
  readonly names?: readonly string[];
  /** The statement as written, for forms without braces. */
  readonly text: string;
}

const STATEMENT =
  /import\s+(type\s+)?(?:\{([^}]*)\}|[^;'"]*?)\s*from\s+"([^"]+)";|import\s+"([^"]+)";/g;

/** Parses the import statements of a block of text. */
function parseImports(block: string): ImportStatement[] {
  return [...block.matchAll(STATEMENT)].map((match) => ({
    from: match[3] ?? match[4] ?? "",
    typeOnly: match[1] !== undefined,
    ...(match[2] === undefined
      ? {}
      : {
          names: match[2]
            .split(",")
            .map((name) => name.trim())
            .filter((name) => name !== ""),
        }),
    text: match[0].replaceAll(/\s+/g, " "),
  }));
}

/** Renders one statement as the formatter would. */
function formatImport(statement: ImportStatement): string {
  if (statement.names === undefined) return statement.text;
  const names = [...statement.names].sort((a, b) =>
    compareNatural(a.replace(/^type\s+/, ""), b.replace(/^type\s+/, "")),
  );
  const head = statement.typeOnly ? "import type" : "import";
  const line = `${head} { ${names.join(", ")} } from "${statement.from}";`;
  if (line.length <= LINE_WIDTH || names.length === 1) return line;
  return `${head} {\n${names.map((name) => `  ${name},\n`).join("")}} from "${statement.from}";`;
}

/** Sorts and formats the import statements of `block`; one statement a line (or more). */
export function organizeImports(block: string): string {
  const statements = parseImports(block).sort((a, b) => compareModules(a.from, b.from));
  return statements.map((statement) => `${formatImport(statement)}\n`).join("");
}

/** Top-level import declarations of a file: their start, end (after the newline) and module. */
function importsOf(source: string): { start: number; end: number; from: string }[] {
  const found: { start: number; end: number; from: string }[] = [];
  for (const match of source.matchAll(/^import\s[^;]*?\sfrom\s+"([^"]+)";[ \t]*\n/gm)) {
    found.push({ start: match.index, end: match.index + match[0].length, from: match[1] ?? "" });
  }
  return found;
}

/**
 * Adds an import statement to a file where organizeImports would put it,
 * leaving the other statements as they are. Leaves the file alone when the
 * module is imported already.
 */
export function insertImport(source: string, statement: string): string {
  const [parsed] = parseImports(statement);
  if (parsed === undefined) throw new Error(`not an import statement: ${statement}`);
  const imports = importsOf(source);
  if (imports.some((entry) => entry.from === parsed.from)) return source;
  const after = imports.find((entry) => compareModules(entry.from, parsed.from) > 0);
  const at = after?.start ?? imports.at(-1)?.end ?? 0;
  return `${source.slice(0, at)}${formatImport(parsed)}\n${source.slice(at)}`;
}
