// Prints the CHANGELOG.md section of one released version, for release notes:
//
//   node scripts/changelog-section.ts v0.0.9     (or 0.0.9)
//
// The section is everything under its `## [0.0.9] - <date>` heading up to the next `## `
// heading. Exits 1 when the version has no dated section (it is unreleased or unknown).
import { readFileSync } from "node:fs";
import path from "node:path";

/** Returns the body of `version`'s section, trimmed, or undefined when there is none. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const wanted = version.replace(/^v/, "");
  const lines = changelog.split("\n");
  const heading = /^## \[([^\]]+)\](?:\s+-\s+(\d{4}-\d{2}-\d{2}))?/;
  const start = lines.findIndex((line) => {
    const match = heading.exec(line);
    return match?.[1] === wanted && match[2] !== undefined;
  });
  if (start === -1) return undefined;
  const end = lines.findIndex((line, index) => index > start && line.startsWith("## "));
  const body = lines
    .slice(start + 1, end === -1 ? undefined : end)
    // Link reference definitions belong to the whole file, not to one release.
    .filter((line) => !/^\[[^\]]+\]:\s/.test(line))
    .join("\n")
    .trim();
  return body || undefined;
}

if (import.meta.main) {
  const version = process.argv[2];
  if (!version) {
    console.error("usage: node scripts/changelog-section.ts <version>");
    process.exit(2);
  }
  const changelog = readFileSync(path.resolve(import.meta.dirname, "..", "CHANGELOG.md"), "utf8");
  const section = changelogSection(changelog, version);
  if (section === undefined) {
    console.error(
      `changelog-section: CHANGELOG.md has no dated section for ${version}; cut the release there first.`,
    );
    process.exit(1);
  }
  process.stdout.write(`${section}\n`);
}
