export { applyMarkers } from "./markers.ts";
export { protoPackageOf, type RenderedFile, renderTemplate, renderVariables } from "./render.ts";
export { resolveTemplate } from "./resolve.ts";
export { dropEnvKeys, transformPackageJson } from "./service-files.ts";
export {
  collectRepositoryTemplate,
  loadTemplateDir,
  readTree,
  type TemplateSource,
} from "./source.ts";
export {
  type Feature,
  featureEnabled,
  matchesAny,
  ownershipOf,
  parseTemplateMeta,
  type Rename,
  TEMPLATE_META_FILE,
  type TemplateMeta,
} from "./template-meta.ts";
