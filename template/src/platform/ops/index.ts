export type { OpsHandlerOptions } from "./ops-handler.ts";
export { createOpsHandler } from "./ops-handler.ts";
export type { Profiler, ProfilingOptions } from "./profiling.ts";
export { createProfiler } from "./profiling.ts";
export { sendProblem } from "./send-problem.ts";
