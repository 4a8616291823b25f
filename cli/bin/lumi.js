#!/usr/bin/env node
// The installed CLI runs the compiled code; in the lumi repository, `node cli/src/cli.ts` runs the sources.
import { run } from "../dist/cli.js";

await run();
