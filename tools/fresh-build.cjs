// Mocha root hook (.mocharc.json "require"): the daemon tests run the bundle in dist/ and the browser
// tests load main.js, so a bundle older than any source would test stale code. Rebuild first when it is.
const { execFileSync } = require("node:child_process");
const { existsSync, readdirSync, statSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const outputs = ["dist/lodge.cjs", "main.js"].map((f) => join(root, f));

function newestSource(dir) {
    let newest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
        else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
    }
    return newest;
}

exports.mochaHooks = {
    beforeAll() {
        const sources = Math.max(
            ...["daemon", "shared", "plugin"].map((d) => newestSource(join(root, d))),
            statSync(join(root, "package.json")).mtimeMs,
        );
        const built = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
        if (built >= sources) return;
        process.stdout.write("the bundles are older than the sources: rebuilding (node esbuild.config.mjs)\n");
        execFileSync(process.execPath, [join(root, "esbuild.config.mjs")], { cwd: root, stdio: "inherit" });
    },
};
