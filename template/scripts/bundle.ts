import { rmSync } from "node:fs";
import { build } from "esbuild";

/**
 * `npm run build` (after the type check): bundles the service into `dist/`
 * with esbuild — `main.js` (the service), `register.js` (the tracing
 * preload, `--import`) and `migrate.js` (the migration command), sharing
 * chunks. One file per entry instead of hundreds of modules to resolve and
 * load: importing the service measured 250–310 ms bundled against 670–690 ms
 * from tsc's output (ADR 0018).
 *
 * Left as packages, resolved from node_modules at run time: PGlite (it reads
 * its WebAssembly and data files beside its own modules) and pg's optional
 * native binding, and import-in-the-middle with OpenTelemetry's
 * instrumentation package (the tracing hooks load their own files by path).
 */
const external = [
  "@electric-sql/pglite",
  "@electric-sql/pglite/*",
  "pg-native",
  "import-in-the-middle",
  "import-in-the-middle/*",
  "@opentelemetry/instrumentation/hook.mjs",
];

const outdir = new URL("../dist/", import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    main: "src/main.ts",
    register: "src/platform/telemetry/register.ts",
    migrate: "src/migrate.ts",
  },
  absWorkingDir: new URL("..", import.meta.url).pathname,
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node24",
  external,
  sourcemap: "linked",
  // CommonJS dependencies (pg, ioredis...) call require() for Node's own modules.
  banner: {
    js: 'import { createRequire as __lumiCreateRequire } from "node:module"; const require = __lumiCreateRequire(import.meta.url);',
  },
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
  legalComments: "linked",
});
