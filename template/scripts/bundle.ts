import { rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { build, type Plugin } from "esbuild";

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

/**
 * Node's own modules are loaded with require(), not import: an ESM import of
 * a built-in makes Node build its module facade, which reads every export —
 * and `node:http`'s WebSocket, CloseEvent and MessageEvent are getters that
 * load undici, ~40 ms of start-up for a service that may never touch them.
 * require() hands over the exports object as it is. (The tracing hooks patch
 * built-ins on both paths.)
 */
const builtinsViaRequire: Plugin = {
  name: "builtins-via-require",
  setup(bundler) {
    bundler.onResolve({ filter: /^[a-z0-9_:/]+$/ }, (args) =>
      // Static imports only: a dynamic import() of a CommonJS module would
      // become a chunk with a default export alone.
      args.kind === "import-statement" && isBuiltin(args.path)
        ? { path: args.path, namespace: "builtin" }
        : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

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
  plugins: [builtinsViaRequire],
  sourcemap: "linked",
  // CommonJS dependencies (pg, ioredis...) call require() for Node's own modules.
  banner: {
    js: 'import { createRequire as __lumiCreateRequire } from "node:module"; const require = __lumiCreateRequire(import.meta.url);',
  },
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
  legalComments: "linked",
});
