// Two builds: the Obsidian plugin (main.js at the root, CommonJS, Obsidian and CodeMirror external, as the
// sample plugin does) and the daemon (dist/lodge.cjs for Node, every npm package external because sqlite3
// is a native addon that esbuild cannot bundle).
// `node esbuild.config.mjs` builds once; `node esbuild.config.mjs --watch` rebuilds on change.
import esbuild from "esbuild";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";

const watch = process.argv.includes("--watch");
const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const define = { __LODGE_VERSION__: JSON.stringify(pkg.version) };

const plugin = {
    entryPoints: ["plugin/main.ts"],
    bundle: true,
    format: "cjs",
    target: "es2018",
    platform: "browser",
    external: [
        "obsidian", "electron",
        "@codemirror/autocomplete", "@codemirror/collab", "@codemirror/commands", "@codemirror/language",
        "@codemirror/lint", "@codemirror/search", "@codemirror/state", "@codemirror/view",
        "@lezer/common", "@lezer/highlight", "@lezer/lr",
        ...builtinModules, ...builtinModules.map((m) => `node:${m}`),
    ],
    define,
    sourcemap: false,
    treeShaking: true,
    logLevel: "warning",
    outfile: "main.js",
};

const daemon = {
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

if (watch) {
    for (const options of [plugin, daemon]) await (await esbuild.context(options)).watch();
} else {
    await Promise.all([esbuild.build(plugin), esbuild.build(daemon)]);
}
