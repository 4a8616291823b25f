export { mergeJson } from "./json.ts";
export { mergeFile } from "./merge-file.ts";
export { mergeText } from "./text.ts";
export type { MergeConflict, MergeInput, MergeResult, MergeStrategy } from "./types.ts";
export { mergeYaml } from "./yaml.ts";
