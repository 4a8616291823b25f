/** One key of a `.env.example` file. */
export interface EnvExampleEntry {
  readonly key: string;
  /** 1-based line of its assignment (`KEY=…` or commented out, `# KEY=…`). */
  readonly line: number;
  /** Whether a comment line describes it (directly above, in the same block). */
  readonly documented: boolean;
}

const assignment = /^\s*(?:#\s*)?(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/;

/**
 * Reads the keys of a `.env.example`: assignments, active or commented out,
 * each documented by the comment lines just above it (a blank line or the
 * previous assignment ends a block).
 */
export function parseEnvExample(text: string): Map<string, EnvExampleEntry> {
  const entries = new Map<string, EnvExampleEntry>();
  let comments = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const match = assignment.exec(line);
    if (match !== null) {
      const key = match[1] as string;
      if (!entries.has(key)) entries.set(key, { key, line: index + 1, documented: comments > 0 });
      comments = 0;
    } else if (line.startsWith("#") && line.replace(/^#+/, "").trim() !== "") comments += 1;
    else if (line === "") comments = 0;
  });
  return entries;
}

/** Whether a text names a key as a whole word (`HTTP_PORT` does not match `RPC_HTTP_PORT`). */
export function mentionsKey(text: string, key: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_])${key}(?![A-Za-z0-9_])`).test(text);
}
