// ESLint rule `lodge/boundaries`: the layering of the repository, checked on resolved import paths so a
// relative `../../daemon/x` is caught as surely as a bare name.
//   shared/  pure: imports only shared/ and the pure packages listed below; no Node, no Obsidian, no DOM.
//   plugin/  never imports daemon/ or test/; no Node built-ins (Obsidian mobile has none).
//   daemon/  never imports plugin/ or test/, nor obsidian or CodeMirror.
// Some packages belong to one folder only, so "SQL lives in the store" and "routes are thin" hold by rule.
import { builtinModules } from "node:module";
import path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const LAYERS = ["shared", "plugin", "daemon", "test", "bench", "tools"];
const FORBIDDEN_LAYERS = { shared: ["plugin", "daemon", "test", "bench"], plugin: ["daemon", "test", "bench"], daemon: ["plugin", "test", "bench"] };
const SHARED_PACKAGES = new Set(["yaml", "gray-matter"]);
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
// package -> folders (relative to the root) that may import it
const OWNED_PACKAGES = {
    sqlite3: ["daemon/store"],
    koa: ["daemon/http"],
    "@koa/router": ["daemon/http"],
    "simple-git": ["daemon/memory"],
    chokidar: ["daemon/watch"],
    "gray-matter": ["shared/note"],
    obsidian: ["plugin"],
};

function layerOf(file) {
    const rel = path.relative(ROOT, file).split(path.sep);
    return LAYERS.includes(rel[0]) ? rel[0] : null;
}

function packageName(spec) {
    const parts = spec.split("/");
    return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function check(context, node, spec) {
    if (typeof spec !== "string") return;
    const file = context.filename;
    const from = layerOf(file);
    if (!from || !FORBIDDEN_LAYERS[from]) return;
    const report = (message) => context.report({ node, message });
    if (spec.startsWith(".")) {
        const target = layerOf(path.resolve(path.dirname(file), spec));
        if (target && FORBIDDEN_LAYERS[from].includes(target)) report(`${from}/ must not import ${target}/ (${spec}).`);
        return;
    }
    const pkg = packageName(spec);
    if (BUILTINS.has(spec) || BUILTINS.has(pkg)) {
        if (from !== "daemon") report(`${from}/ must not use the Node built-in '${spec}'.`);
        return;
    }
    if (from === "shared" && !SHARED_PACKAGES.has(pkg)) report(`shared/ is pure: '${spec}' is not an allowed package.`);
    if (from === "daemon" && (pkg === "obsidian" || pkg.startsWith("@codemirror/"))) report(`daemon/ must not import '${spec}'.`);
    const owners = OWNED_PACKAGES[pkg];
    const rel = path.relative(ROOT, file).split(path.sep).join("/");
    if (owners && !owners.some((dir) => rel.startsWith(`${dir}/`))) report(`'${pkg}' may only be imported in ${owners.join(", ")}/.`);
}

const rule = {
    meta: { type: "problem", docs: { description: "Keep shared/ pure and plugin/ and daemon/ apart." }, schema: [] },
    create(context) {
        return {
            ImportDeclaration: (node) => check(context, node, node.source.value),
            ExportNamedDeclaration: (node) => node.source && check(context, node, node.source.value),
            ExportAllDeclaration: (node) => check(context, node, node.source.value),
            ImportExpression: (node) => node.source.type === "Literal" && check(context, node, node.source.value),
            CallExpression: (node) => {
                if (node.callee.type === "Identifier" && node.callee.name === "require" && node.arguments[0]?.type === "Literal") {
                    check(context, node, node.arguments[0].value);
                }
            },
        };
    },
};

export default { rules: { boundaries: rule } };
