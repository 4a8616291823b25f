import { runMigrateCommand } from "./platform/data/index.ts";

/**
 * Entry point of the migration command in the image (`node dist/migrate.js
 * [up | down <version> | status]`); `npm run migrate` runs the same command.
 */
const code = await runMigrateCommand(process.argv.slice(2), {
  env: process.env,
  output: {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
});
process.exit(code);
