import { configDocumentedRule } from "./rule-config-documented.ts";
import { forbiddenDependenciesRule } from "./rule-forbidden-dependencies.ts";
import { helmValuesRule } from "./rule-helm-values.ts";
import { managedDriftRule } from "./rule-managed-drift.ts";
import { nodeEngineRule } from "./rule-node-engine.ts";
import { requiredFilesRule } from "./rule-required-files.ts";
import { templateVersionRule } from "./rule-template-version.ts";
import type { Rule } from "./types.ts";

/** Every rule of `lumi check`, in report order. */
export const checkRules: readonly Rule[] = [
  templateVersionRule,
  managedDriftRule,
  requiredFilesRule,
  helmValuesRule,
  nodeEngineRule,
  forbiddenDependenciesRule,
  configDocumentedRule,
];
