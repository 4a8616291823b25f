// Fails unless the script runs on the Node.js major version the repository pins.
// The root devDependency `node` installs that version as node_modules/.bin/node,
// which npm puts first on PATH for every `npm run` script.

const REQUIRED_MAJOR = 24;

/** Returns the major version of the Node.js binary running this script. */
function currentMajor(): number {
  return Number.parseInt(process.versions.node.split(".")[0] ?? "", 10);
}

const major = currentMajor();
if (major !== REQUIRED_MAJOR) {
  console.error(
    [
      `error: Node.js ${REQUIRED_MAJOR} is required, but this is Node.js ${process.versions.node} (${process.execPath}).`,
      `The repository pins Node.js ${REQUIRED_MAJOR} through the \`node\` devDependency:`,
      "  1. run `npm install` (or `npm ci`) at the repository root so node_modules/.bin/node exists;",
      "  2. run scripts through npm (`npm test`, `npm run check`, ...) so that binary comes first on PATH,",
      `     instead of calling \`node\` directly with the system Node.js.`,
    ].join("\n"),
  );
  process.exit(1);
}
