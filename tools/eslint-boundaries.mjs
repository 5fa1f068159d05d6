// ESLint rule `lodge/boundaries`: the layering of the repository, checked on resolved import paths so a
// relative `../../daemon/x` is caught as surely as a bare name.
//   shared/  pure: imports only shared/ and the pure packages listed below; no Node, no Obsidian, no DOM.
//   plugin/  never imports daemon/ or test/; no Node built-ins (Obsidian mobile has none).
//   daemon/  never imports plugin/ or test/, nor obsidian or CodeMirror.
// Some packages belong to one folder only, so "SQL lives in the store" and "routes are thin" hold by rule.
// Rule `lodge/layers`: daemon/'s own layers (DAEMON_LAYERS); rule `lodge/no-cycles` (eslint-cycles.mjs).
import { builtinModules } from "node:module";
import path from "node:path";
import noCycles from "./eslint-cycles.mjs";
import { importVisitor } from "./eslint-imports.mjs";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const LAYERS = ["shared", "plugin", "daemon", "test", "bench", "tools"];
const FORBIDDEN_LAYERS = {
    shared: ["plugin", "daemon", "test", "bench"],
    plugin: ["daemon", "test", "bench"],
    daemon: ["plugin", "test", "bench"],
};
const SHARED_PACKAGES = new Set(["yaml", "gray-matter"]);
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
// package -> folders or files (relative to the root) that may import it
const OWNED_PACKAGES = {
    sqlite3: ["daemon/store"],
    koa: ["daemon/http"],
    "@koa/router": ["daemon/http"],
    "simple-git": ["daemon/memory/git-client.ts", "daemon/memory/git-process.ts"],
    chokidar: ["daemon/watch"],
    "gray-matter": ["shared/note"],
    obsidian: ["plugin"],
    pino: ["daemon/log.ts"],
    "pino-pretty": ["daemon/log.ts"],
    yazl: ["daemon/services/conversation-zip.ts"],
};

// Node built-ins kept to one file inside a folder: agents' memory runs git through simple-git
// (git-client.ts) or the one raw module (git-process.ts), never a process of its own.
const CONFINED_BUILTINS = {
    child_process: { folder: "daemon/memory", only: ["daemon/memory/git-process.ts"] },
};

/**
 * daemon/'s layers, lowest first: a file imports its own layer and the ones below, never one above, so
 * the store knows nothing of turns and a service nothing of HTTP. Each entry is a folder of daemon/ or
 * a file directly in it (without `.ts`). A new folder must be placed here before it can import or be
 * imported: the rule names it.
 */
export const DAEMON_LAYERS = [
    // the core every layer uses: words, settings, the log, the message shapes, what the host has
    [
        "words",
        "version",
        "paths",
        "log",
        "messages",
        "config-schema",
        "config-sections",
        "config-agent",
        "config",
        "agent-detect",
        "host-checks",
        "model-check",
        "welcome",
    ],
    ["store"],
    ["vault"],
    ["vault-index"],
    ["backends"],
    ["services"],
    // turn steps over the services' TurnEnv: the daemon's tools, agents' memory (which hands tools out), context
    ["tools"],
    ["memory"],
    ["context"],
    ["watch"],
    ["frontends", "mcp"],
    ["http"],
    ["service"],
    ["commands"],
    // the daemon process: its start-up checks, the services graph, the server, and the wiring
    ["startup", "daemon-services", "daemon-server", "main", "cli-errors", "cli"],
];
const DAEMON_RANK = new Map(DAEMON_LAYERS.flatMap((names, rank) => names.map((name) => [name, rank])));
const ORDER = DAEMON_LAYERS.map((names) => names.join("/")).join(" < ");

/** The daemon part a file belongs to (`store`, `main`…), or null outside daemon/. */
function daemonPart(file) {
    const rel = path.relative(path.join(ROOT, "daemon"), file).split(path.sep);
    if (rel[0] === ".." || path.isAbsolute(rel[0])) return null;
    return rel.length === 1 ? rel[0].replace(/\.(ts|tsx|js|mjs|cjs)$/, "") : rel[0];
}

function checkDaemonLayers(context, node, spec) {
    const from = daemonPart(context.filename);
    const to = from === null ? null : daemonPart(path.resolve(path.dirname(context.filename), spec));
    if (from === null || to === null || from === to) return;
    for (const part of [from, to]) {
        if (!DAEMON_RANK.has(part)) {
            context.report({
                node,
                message: `daemon/${part} has no place in daemon/'s layers: add it to DAEMON_LAYERS in tools/eslint-boundaries.mjs, above what it imports.`,
            });
            return;
        }
    }
    if (DAEMON_RANK.get(to) <= DAEMON_RANK.get(from)) return;
    context.report({
        node,
        message: `daemon/${from} must not import daemon/${to}, a layer above it (${spec}). Move what both need down, or pass it in from above. Layers, lowest first: ${ORDER}.`,
    });
}

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
        const confined = CONFINED_BUILTINS[spec.replace(/^node:/, "")];
        const rel = path.relative(ROOT, file).split(path.sep).join("/");
        if (confined && rel.startsWith(`${confined.folder}/`) && !confined.only.includes(rel))
            report(`'${spec}' may only be used in ${confined.only.join(", ")} within ${confined.folder}/.`);
        return;
    }
    if (from === "shared" && !SHARED_PACKAGES.has(pkg)) report(`shared/ is pure: '${spec}' is not an allowed package.`);
    if (from === "daemon" && (pkg === "obsidian" || pkg.startsWith("@codemirror/"))) report(`daemon/ must not import '${spec}'.`);
    const owners = OWNED_PACKAGES[pkg];
    const rel = path.relative(ROOT, file).split(path.sep).join("/");
    if (owners && !owners.some((owner) => rel === owner || rel.startsWith(`${owner}/`)))
        report(`'${pkg}' may only be imported in ${owners.join(", ")}.`);
}

const boundaries = {
    meta: { type: "problem", docs: { description: "Keep shared/ pure and plugin/ and daemon/ apart." }, schema: [] },
    create: (context) => importVisitor((node, spec) => check(context, node, spec)),
};

const layers = {
    meta: { type: "problem", docs: { description: "daemon/ imports only its own layer and the ones below (DAEMON_LAYERS)." }, schema: [] },
    create: (context) =>
        importVisitor((node, spec) => typeof spec === "string" && spec.startsWith(".") && checkDaemonLayers(context, node, spec)),
};

export default { rules: { boundaries, layers, "no-cycles": noCycles } };
