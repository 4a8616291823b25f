import { existsSync } from "node:fs";

/**
 * The URL of a platform doc: the service's own docs/ (a stamped service), or
 * the lumi repository's docs/ when the template runs in place.
 */
export function docUrl(name: string): URL {
  const service = new URL(`../docs/${name}`, import.meta.url);
  return existsSync(service) ? service : new URL(`../../docs/${name}`, import.meta.url);
}
