/**
 * The tracing preload: `node --import ./src/platform/telemetry/register.ts src/main.ts`
 * (`dist/register.js` when built, scripts/bundle.ts). It must run before the
 * service is imported: with ESM, only modules loaded after the loader hook
 * is registered can be patched (`import express` is; a `--require` preload
 * would leave it unpatched).
 *
 * Tracing is off unless an OTLP endpoint is set (and `OTEL_SDK_DISABLED` is
 * not true); then nothing but the configuration module is loaded, so start-up
 * is unaffected. A bad tracing key writes one line on stderr and leaves
 * tracing off; the service's own boot then reports it with the others.
 */
import { register } from "node:module";
import packageJson from "../../../package.json" with { type: "json" };
import { ConfigError, loadTelemetryConfig, type TelemetryConfig } from "../config/index.ts";
import { setTelemetry } from "./handle.ts";

function stderrLine(level: string, msg: string, fields: object = {}): void {
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`,
  );
}

let config: TelemetryConfig | undefined;
try {
  config = loadTelemetryConfig(process.env, { version: packageJson.version });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  stderrLine("error", "tracing off: invalid configuration", { issues: error.issues });
}

if (config?.enabled) {
  try {
    // Loaded before any hook is registered, so the SDK's own modules are not intercepted.
    const [iitm, syncHooks, { startTracing }] = await Promise.all([
      import("import-in-the-middle"),
      import("import-in-the-middle/register-hooks.mjs"),
      import("./sdk.ts"),
    ]);
    if (syncHooks.supportsSyncHooks()) {
      // In-thread hooks (module.registerHooks), limited to the patched packages:
      // ~150 ms faster to start than the off-thread loader below.
      const tracing = startTracing(config);
      syncHooks.register({ include: [...tracing.hookedModules] });
      setTelemetry(tracing);
    } else {
      // Node.js < 24.11.1: the off-thread loader, told which modules the
      // instrumentations hook so that it intercepts only those.
      const { registerOptions, waitForAllMessagesAcknowledged } =
        iitm.createAddHookMessageChannel();
      register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, registerOptions);
      setTelemetry(startTracing(config));
      await waitForAllMessagesAcknowledged();
    }
  } catch (error) {
    stderrLine("error", "tracing off: the SDK failed to start", {
      err: error instanceof Error ? error.message : String(error),
    });
  }
}
