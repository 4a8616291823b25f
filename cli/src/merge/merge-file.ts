import { mergeJson } from "./json.ts";
import { mergeText } from "./text.ts";
import type { MergeInput, MergeResult } from "./types.ts";
import { mergeYaml } from "./yaml.ts";

/**
 * Merges a file with the strategy its name calls for: `*.json` key by key as JSON,
 * `*.yaml` and `*.yml` key by key as YAML, anything else line by line as text.
 * The JSON and YAML merges fall back to text when a version does not parse.
 */
export function mergeFile(input: MergeInput): MergeResult {
  const name = input.path.toLowerCase();
  if (name.endsWith(".json")) return mergeJson(input);
  if (name.endsWith(".yaml") || name.endsWith(".yml")) return mergeYaml(input);
  return mergeText(input);
}
