#!/usr/bin/env node
// The `lodge` command. The daemon is bundled by esbuild.config.mjs (run by `npm install` through
// the `prepare` script); this file only points at the bundle so `npx lodge` works from a checkout.
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const bundle = join(__dirname, "..", "dist", "lodge.cjs");
if (!existsSync(bundle)) {
    process.stderr.write("lodge: the daemon is not built yet; run `npm run build` in the lodge folder.\n");
    process.exit(1);
}
require(bundle);
