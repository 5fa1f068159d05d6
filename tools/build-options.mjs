// The build options of both bundles, in one place: esbuild.config.mjs builds them, and the e2e harness
// (test/e2e/harness/server.ts) bundles the plugin with the same options, so tests load what ships.
// Paths are relative to the repository root (absWorkingDir).
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
export const define = { __LODGE_VERSION__: JSON.stringify(pkg.version) };

/** The Obsidian plugin: main.js at the root. The e2e harness builds the same options in memory. */
export const plugin = {
    absWorkingDir: ROOT,
    entryPoints: ["plugin/main.ts"],
    bundle: true,
    format: "cjs",
    target: "es2018",
    platform: "browser",
    external: [
        "obsidian",
        "electron",
        "@codemirror/autocomplete",
        "@codemirror/collab",
        "@codemirror/commands",
        "@codemirror/language",
        "@codemirror/lint",
        "@codemirror/search",
        "@codemirror/state",
        "@codemirror/view",
        "@lezer/common",
        "@lezer/highlight",
        "@lezer/lr",
        ...builtinModules,
        ...builtinModules.map((m) => `node:${m}`),
    ],
    define,
    sourcemap: false,
    treeShaking: true,
    logLevel: "warning",
    outfile: "main.js",
};

/** The daemon and the `lodge` CLI: dist/lodge.cjs. */
export const daemon = {
    absWorkingDir: ROOT,
    entryPoints: ["daemon/cli.ts"],
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    packages: "external",
    define,
    sourcemap: "inline",
    logLevel: "warning",
    outfile: "dist/lodge.cjs",
};
