/**
 * The harness server: a node:http server on 127.0.0.1 (port 0) serving the harness page, the shim
 * bundle (shim + CodeMirror, one IIFE), the plugin's bundled main.js, manifest.json and styles.css,
 * and file routes over a vault folder — the real one the daemon uses — for the shim's Vault.
 *
 * main.js is bundled here from plugin/main.ts with the shipped build's options (tools/build-options.mjs),
 * so a test run never loads a stale build.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import esbuild from "esbuild";
import { plugin as pluginBuild } from "../../../tools/build-options.mjs";

export const ROOT = resolve(__dirname, "..", "..", "..");

/** The plugin build of tools/build-options.mjs (what esbuild.config.mjs ships), in memory. */
export const PLUGIN_BUILD: esbuild.BuildOptions = { ...pluginBuild, define: { __LODGE_VERSION__: JSON.stringify("test") }, write: false };

let bundles: Promise<{ shim: string; plugin: string }> | null = null;
let benchBundle: Promise<string> | null = null;

/** The bench page's script (test/e2e/harness/bench-page.ts), built on first request. */
function buildBench(): Promise<string> {
    benchBundle ??= esbuild
        .build({
            entryPoints: [join(ROOT, "test", "e2e", "harness", "bench-page.ts")],
            bundle: true,
            format: "iife",
            platform: "browser",
            target: "es2022",
            minify: true,
            logLevel: "warning",
            write: false,
        })
        .then((out) => out.outputFiles[0]!.text);
    return benchBundle;
}

/** Both bundles, built once per process. */
export function buildBundles(): Promise<{ shim: string; plugin: string }> {
    bundles ??= (async () => {
        const [shim, plugin] = await Promise.all([
            esbuild.build({
                entryPoints: [join(ROOT, "test", "e2e", "shim", "page.ts")],
                bundle: true,
                format: "iife",
                platform: "browser",
                target: "es2022",
                sourcemap: "inline",
                logLevel: "warning",
                write: false,
            }),
            esbuild.build(PLUGIN_BUILD),
        ]);
        return { shim: shim.outputFiles[0]!.text, plugin: plugin.outputFiles![0]!.text };
    })();
    return bundles;
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Lodge harness</title>
<link rel="stylesheet" href="/harness.css"><link rel="stylesheet" href="/styles.css">
</head><body>
<div class="app"><div class="workspace"></div><div class="settings"></div><div class="status-bar"></div></div>
<div class="notice-container"></div>
<script src="/shim.js"></script>
</body></html>`;

const CSS = `
:root { --text-accent: #7b6cd9; --text-muted: #888; --text-warning: #ec7500; --text-error: #e93147; --text-success: #08b94e; font-family: system-ui, sans-serif; }
body { margin: 0; background: #1e1e1e; color: #ddd; }
.app { display: flex; flex-direction: column; height: 100vh; }
.workspace { flex: 1; display: flex; flex-direction: column; min-height: 0; }
.workspace-tabs { display: flex; gap: 2px; background: #2a2a2a; padding: 4px 4px 0; }
.workspace-tab { padding: 4px 12px; background: #333; border-radius: 6px 6px 0 0; cursor: pointer; font-size: 13px; }
.workspace-tab.is-active { background: #1e1e1e; color: #fff; }
.workspace-leaves { flex: 1; min-height: 0; position: relative; }
.workspace-leaf, .markdown-view { position: absolute; inset: 0; }
.workspace-leaf.is-hidden { display: none; }
.cm-editor { height: 100%; font-size: 15px; }
.cm-scroller { overflow: auto; line-height: 1.5; padding: 0 24px; }
.cm-content { caret-color: #fff; }
.cm-activeLine { background: #262626; }
.md-heading { font-weight: bold; color: #e0c36b; }
.md-fence { color: #8fbf8f; }
.md-quote { color: #9aa7d8; }
.status-bar { display: flex; justify-content: flex-end; gap: 12px; padding: 3px 10px; background: #2a2a2a; font-size: 12px; }
.settings { display: none; } .settings.is-open { display: block; padding: 8px; }
.notice-container { position: fixed; top: 10px; right: 10px; display: flex; flex-direction: column; gap: 6px; }
.notice { background: #444; color: #fff; padding: 8px 12px; border-radius: 6px; max-width: 360px; font-size: 13px; }
`;

export interface Harness {
    url: string;
    /** The vault folder the file routes serve. */
    vault: string;
    setVault(dir: string): void;
    close(): Promise<void>;
}

export interface HarnessOptions {
    vault: string;
    /** Send COOP/COEP so the page is cross-origin isolated (5 µs timers, for the bench). */
    isolated?: boolean;
}

/** Lists the vault as Obsidian's index would: hidden entries (".obsidian", the daemon's temp files) left out. */
function walk(root: string, dir = root, out: { path: string; kind: "file" | "folder" }[] = []): typeof out {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.startsWith(".")) continue;
        const full = join(dir, entry.name);
        const path = relative(root, full).split(sep).join("/");
        if (entry.isDirectory()) {
            out.push({ path, kind: "folder" });
            walk(root, full, out);
        } else if (entry.isFile()) {
            out.push({ path, kind: "file" });
        }
    }
    return out;
}

function inside(root: string, path: string | null): string {
    if (!path || path.includes("\0")) throw new Error("bad path");
    const full = resolve(root, path);
    if (full !== root && !full.startsWith(root + sep)) throw new Error("path outside the vault");
    return full;
}

async function body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
    const { shim, plugin } = await buildBundles();
    let vault = resolve(options.vault);
    const headers = options.isolated ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } : {};
    const send = (res: ServerResponse, status: number, type: string, text: string): void => {
        res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers }).end(text);
    };
    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        const url = new URL(req.url ?? "/", "http://harness");
        switch (`${req.method} ${url.pathname}`) {
            case "GET /":
                return send(res, 200, "text/html; charset=utf-8", PAGE);
            case "GET /harness.css":
                return send(res, 200, "text/css", CSS);
            case "GET /styles.css":
                return send(res, 200, "text/css", readFileSync(join(ROOT, "styles.css"), "utf8"));
            case "GET /manifest.json":
                return send(res, 200, "application/json", readFileSync(join(ROOT, "manifest.json"), "utf8"));
            case "GET /shim.js":
                return send(res, 200, "text/javascript", shim);
            case "GET /bench":
                return send(
                    res,
                    200,
                    "text/html; charset=utf-8",
                    '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/harness.css"></head><body></body><script src="/bench.js"></script></html>',
                );
            case "GET /bench.js":
                return send(res, 200, "text/javascript", await buildBench());
            case "GET /main.js":
                return send(res, 200, "text/javascript", plugin);
            // The plugin as `lodge install-plugin` put it into the vault.
            case "GET /installed/main.js":
            case "GET /installed/manifest.json": {
                const name = url.pathname.slice("/installed/".length);
                try {
                    return send(
                        res,
                        200,
                        name.endsWith(".js") ? "text/javascript" : "application/json",
                        readFileSync(join(vault, ".obsidian", "plugins", "lodge", name), "utf8"),
                    );
                } catch {
                    return send(res, 404, "text/plain", "not installed");
                }
            }
            case "GET /api/index":
                return send(res, 200, "application/json", JSON.stringify(walk(vault)));
            case "GET /api/file": {
                try {
                    return send(res, 200, "text/plain; charset=utf-8", readFileSync(inside(vault, url.searchParams.get("path")), "utf8"));
                } catch {
                    return send(res, 404, "text/plain", "not found");
                }
            }
            case "PUT /api/file": {
                const full = inside(vault, url.searchParams.get("path"));
                mkdirSync(dirname(full), { recursive: true });
                writeFileSync(full, await body(req));
                return send(res, 204, "text/plain", "");
            }
            case "POST /api/folder": {
                mkdirSync(inside(vault, url.searchParams.get("path")), { recursive: true });
                return send(res, 204, "text/plain", "");
            }
            default:
                return send(res, 404, "text/plain", "not found");
        }
    };
    const server: Server = createServer((req, res) => {
        handle(req, res).catch((err: unknown) => send(res, 400, "text/plain", String(err)));
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        get vault() {
            return vault;
        },
        setVault(dir: string) {
            vault = resolve(dir);
        },
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
