// Two builds: the Obsidian plugin (main.js at the root, CommonJS, Obsidian and CodeMirror external, as the
// sample plugin does) and the daemon (dist/lodge.cjs for Node, every npm package external because sqlite3
// is a native addon that esbuild cannot bundle). Their options are in tools/build-options.mjs.
// `node esbuild.config.mjs` builds once; `node esbuild.config.mjs --watch` rebuilds on change.
import esbuild from "esbuild";
import { daemon, plugin } from "./tools/build-options.mjs";

const watch = process.argv.includes("--watch");

if (watch) {
    for (const options of [plugin, daemon]) await (await esbuild.context(options)).watch();
} else {
    await Promise.all([esbuild.build(plugin), esbuild.build(daemon)]);
}
