import { diffComm } from "node-diff3";

const CONTEXT = 3;

/**
 * A short line diff of a file, `-` for the local lines and `+` for the
 * template's, with a few lines of context: enough to see an edit at a glance.
 */
export function lineDiff(name: string, local: string, template: string): string[] {
  const out = [`--- ${name} (local)`, `+++ ${name} (template)`];
  const chunks = diffComm(local.split("\n"), template.split("\n"));
  chunks.forEach((chunk, index) => {
    if (chunk.common !== undefined) {
      const lines = chunk.common;
      const head = index === 0 ? [] : lines.slice(0, CONTEXT);
      const tail = index === chunks.length - 1 ? [] : lines.slice(-CONTEXT);
      if (lines.length > head.length + tail.length) {
        out.push(...head.map((l) => `  ${l}`), "  …", ...tail.map((l) => `  ${l}`));
      } else {
        out.push(...lines.map((l) => `  ${l}`));
      }
      return;
    }
    out.push(...chunk.buffer1.map((l) => `- ${l}`), ...chunk.buffer2.map((l) => `+ ${l}`));
  });
  return out;
}
