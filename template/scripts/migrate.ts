// lumi:begin embedded
// `npm run migrate [-- up | down <version> | status]`: applies or reverts the
// migrations of migrations/ on DATABASE_URL (or the embedded store in
// DATABASE_EMBEDDED_DIR). See docs/data.md.
// lumi:end embedded
// lumi:begin !embedded
// // `npm run migrate [-- up | down <version> | status]`: applies or reverts the
// // migrations of migrations/ on DATABASE_URL. See docs/data.md.
// lumi:end !embedded
import { runMigrateCommand } from "../src/platform/data/index.ts";

const code = await runMigrateCommand(process.argv.slice(2), {
  env: process.env,
  output: { out: (line) => console.log(line), err: (line) => console.error(line) },
});
process.exit(code);
