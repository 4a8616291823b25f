import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** Writes files under `root`, creating directories. */
export async function writeFiles(
  root: string,
  files: readonly { path: string; content: Buffer }[],
): Promise<void> {
  for (const file of files) {
    const target = path.join(root, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
}
