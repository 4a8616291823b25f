import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { LumiCliError } from "../errors/index.ts";

const require = createRequire(import.meta.url);

/** The path of an npm package's bin file, resolved from the CLI's own dependencies. */
function packageBin(pkg: string, bin: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "bin", bin);
}

/**
 * Generates the TypeScript code of a service's proto/ module into src/gen
 * with the buf and protoc-gen-es the CLI carries: no network, no install in
 * the service needed.
 */
export function generateProtoCode(serviceDir: string): void {
  const buf = packageBin("@bufbuild/buf", "buf");
  const plugin = packageBin("@bufbuild/protoc-gen-es", "protoc-gen-es");
  const binDir = mkdtempSync(path.join(tmpdir(), "lumi-codegen-"));
  try {
    symlinkSync(plugin, path.join(binDir, "protoc-gen-es"));
    const result = spawnSync(buf, ["generate"], {
      cwd: path.join(serviceDir, "proto"),
      env: { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}` },
      encoding: "utf8",
    });
    if (result.error !== undefined || result.status !== 0) {
      throw new LumiCliError("tool", "buf generate failed in proto/", {
        cause: result.error,
        details: [result.stderr ?? ""].filter((line) => line !== ""),
      });
    }
  } finally {
    rmSync(binDir, { recursive: true, force: true });
  }
}
