import { LumiCliError } from "../errors/index.ts";

// A marker is a whole line: `// lumi:begin rpc`, `# lumi:end rpc`, `<!-- lumi:begin !redis -->`.
const MARKER = /^\s*(?:\/\/|#|<!--)\s*lumi:(begin|end)\s+(!?)([a-z][a-z0-9-]*)\s*(?:-->)?\s*$/;

/**
 * Removes one line-comment prefix (`// ` or `# `), keeping the indentation;
 * a bare `//` or `#` (a blank line of the block) becomes an empty line.
 */
const uncomment = (line: string): string => {
  const text = line.replace(/^(\s*)(?:\/\/|#) ?/, "$1");
  return text.trim() === "" ? "" : text;
};

/**
 * Keeps or drops the marked blocks of a template file: a block between
 * `lumi:begin <feature>` and `lumi:end <feature>` stays when the feature is on
 * (`!feature`: when it is off). The lines of a `!feature` block are written
 * commented out in the template (which has every feature on) and are
 * uncommented when kept. Marker lines never reach the stamped file.
 */
export function applyMarkers(
  content: string,
  file: string,
  enabled: (feature: string) => boolean,
): string {
  if (!content.includes("lumi:begin")) return content;
  const out: string[] = [];
  const stack: { feature: string; keep: boolean; negated: boolean; line: number }[] = [];
  const lines = content.split("\n");
  lines.forEach((line, index) => {
    const match = MARKER.exec(line);
    if (match === null) {
      if (!stack.every((block) => block.keep)) return;
      out.push(stack.some((block) => block.negated) ? uncomment(line) : line);
      return;
    }
    const [, kind, negated, feature = ""] = match;
    const name = `${negated}${feature}`;
    if (kind === "begin") {
      const on = enabled(feature);
      const isNegated = negated === "!";
      stack.push({
        feature: name,
        keep: isNegated ? !on : on,
        negated: isNegated,
        line: index + 1,
      });
      return;
    }
    const open = stack.pop();
    if (open?.feature !== name) {
      throw new LumiCliError(
        "state",
        `${file}:${index + 1}: lumi:end ${name} does not close ${open ? `lumi:begin ${open.feature}` : "any block"}`,
      );
    }
  });
  const unclosed = stack.at(-1);
  if (unclosed !== undefined) {
    throw new LumiCliError(
      "state",
      `${file}:${unclosed.line}: lumi:begin ${unclosed.feature} is never closed`,
    );
  }
  return out.join("\n");
}
