import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The CLI package's root directory (holding package.json, dist/ and the packed template/). */
export const cliRoot: string = fileURLToPath(new URL("../../", import.meta.url));

/** Whether the CLI runs from its TypeScript sources (in the lumi repository) rather than dist/. */
export const runningFromSource: boolean = import.meta.url.endsWith(".ts");

/** The CLI's version, which is also the version of the template it carries. */
export const cliVersion: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
