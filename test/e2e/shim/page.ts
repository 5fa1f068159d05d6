/**
 * The harness page's script (bundled by esbuild into one IIFE with CodeMirror): installs Obsidian's
 * DOM helpers, builds the shim App over the harness server's vault, and loads the plugin's bundled
 * `main.js` through a tiny CommonJS `require` that maps "obsidian" and "@codemirror/*" to the shim
 * and to the same CodeMirror modules the editors use, as Obsidian does. `window.harness` is what
 * the tests drive.
 */
import * as cmState from "@codemirror/state";
import { EditorSelection } from "@codemirror/state";
import * as cmView from "@codemirror/view";
import { EditorView, type ViewUpdate } from "@codemirror/view";
import { App, type Plugin, type PluginManifest } from "./app";
import { installDomHelpers } from "./dom";
import * as obsidian from "./obsidian";
import { noticeLog } from "./ui";
import { TFile } from "./vault";

installDomHelpers();

const modules: Record<string, unknown> = { obsidian, "@codemirror/state": cmState, "@codemirror/view": cmView };

function shimRequire(name: string): unknown {
    if (name in modules) return modules[name];
    throw new Error(`harness: main.js required "${name}", which the shim does not provide`);
}

export interface BootOptions {
    /** The Obsidian version to pretend to be (requireApiVersion). Default 1.13.1. */
    apiVersion?: string;
    /** Whether `app.secretStorage` exists. Default true. */
    secretStorage?: boolean;
    /** Autosave delay of editors, ms. Default 2000 (Obsidian's). */
    autosaveMs?: number;
    /** Load the plugin files `lodge install-plugin` copied into the vault instead of a fresh build. */
    installed?: boolean;
    /** Obsidian's watch of open notes changed on disk: every this many ms (0, the default: off). */
    diskWatchMs?: number;
    /** Pretend to be Obsidian on a phone (`Platform.isMobile`). */
    mobile?: boolean;
}

let app: App | null = null;
let plugin: Plugin | null = null;
/** When set, the text of the active editor after every update (for tests that check each step). */
let docLog: string[] | null = null;
/** When set, the first time (epoch ms, sub-millisecond) each token matching `pattern` entered an editor. */
let tokenWatch: { pattern: RegExp; seen: Record<string, number> } | null = null;
let arrivals: Record<string, number> = {};

function record(update: ViewUpdate): void {
    if (docLog && update.docChanged && update.view === activeView()) docLog.push(update.state.doc.toString());
    if (tokenWatch && update.docChanged) {
        const at = performance.timeOrigin + performance.now();
        const { pattern, seen } = tokenWatch;
        for (const tr of update.transactions) {
            tr.changes.iterChanges((_fromA, _toA, _fromB, _toB, inserted) => {
                for (const match of inserted.toString().matchAll(pattern)) seen[match[0]] ??= at;
            });
        }
    }
}

function need<T>(value: T | null, what: string): T {
    if (value === null) throw new Error(`harness: ${what} is not ready (call boot first)`);
    return value;
}

function activeView(): EditorView | null {
    return app?.workspace.activeLeaf?.view.editor.cm ?? null;
}

const harness = {
    async boot(options: BootOptions = {}): Promise<void> {
        obsidian.setApiVersion(options.apiVersion ?? "1.13.1");
        obsidian.setMobile(options.mobile ?? false);
        app = new App({
            base: location.origin,
            root: document.querySelector(".workspace") as HTMLElement,
            autosaveMs: options.autosaveMs ?? 2000,
            secretStorage: options.secretStorage ?? true,
            onUpdate: record,
        });
        await app.vault.load();
        const from = options.installed ? "/installed" : "";
        const manifest = (await (await fetch(`${from}/manifest.json`)).json()) as PluginManifest;
        const code = await (await fetch(`${from}/main.js`)).text();
        const module = { exports: {} as Record<string, unknown> };
        // The bundle is CommonJS, as Obsidian loads it.
        // eslint-disable-next-line @typescript-eslint/no-implied-eval -- loading the plugin bundle is the harness's job
        new Function("module", "exports", "require", `${code}\n//# sourceURL=main.js`)(module, module.exports, shimRequire);
        const PluginClass = (module.exports.default ?? module.exports) as new (app: App, manifest: PluginManifest) => Plugin;
        plugin = new PluginClass(app, manifest);
        plugin.load();
        await plugin.loading;
        app.workspace.setLayoutReady();
        if (options.diskWatchMs) {
            const shown = app;
            window.setInterval(() => {
                for (const leaf of shown.workspace.leaves) void leaf.view.mergeFromDisk();
            }, options.diskWatchMs);
        }
    },

    /** Opens a note in the active tab (or a new one); re-reads the vault index first. */
    async open(path: string, newTab = false): Promise<void> {
        const a = need(app, "app");
        await a.vault.load();
        const file = a.vault.getAbstractFileByPath(path);
        if (!(file instanceof TFile)) throw new Error(`harness: no note ${path}`);
        await a.workspace.getLeaf(newTab).openFile(file);
        a.workspace.activeLeaf?.view.editor.cm.focus();
    },

    /** Makes the tab showing `path` active. */
    activate(path: string): void {
        const a = need(app, "app");
        const leaf = a.workspace.leaves.find((l) => l.view.file?.path === path);
        if (!leaf) throw new Error(`harness: no tab shows ${path}`);
        a.workspace.setActiveLeaf(leaf);
        leaf.view.editor.cm.focus();
    },

    /** Closes the active tab (Obsidian saves the note first). */
    async closeTab(): Promise<void> {
        await need(app, "app").workspace.activeLeaf?.close();
    },

    /** The path of the note in the active tab. */
    activePath(): string | null {
        return need(app, "app").workspace.getActiveFile()?.path ?? null;
    },

    /** The active editor's text, or that of the tab showing `path`. */
    text(path?: string): string | null {
        const a = need(app, "app");
        const leaf = path === undefined ? a.workspace.activeLeaf : a.workspace.leaves.find((l) => l.view.file?.path === path);
        return leaf ? leaf.view.editor.cm.state.doc.toString() : null;
    },

    /** The active editor's main selection. */
    selection(): { anchor: number; head: number } {
        const view = need(activeView(), "an editor");
        return { anchor: view.state.selection.main.anchor, head: view.state.selection.main.head };
    },

    /** The active editor's text and main selection, read together (the reply may grow between two calls). */
    snapshot(): { text: string; anchor: number; head: number } {
        const view = need(activeView(), "an editor");
        return { text: view.state.doc.toString(), anchor: view.state.selection.main.anchor, head: view.state.selection.main.head };
    },

    /** The active editor's scroll position, px. */
    scrollTop(): number {
        return need(activeView(), "an editor").scrollDOM.scrollTop;
    },

    /** The text of the line at the top of the active editor's visible area. */
    topLine(): string {
        const view = need(activeView(), "an editor");
        const top = view.scrollDOM.getBoundingClientRect().top - view.documentTop + view.documentPadding.top;
        return view.state.doc.lineAt(view.lineBlockAtHeight(Math.max(0, top + 1)).from).text;
    },

    /** Scrolls the active editor to the end of its note and waits until CodeMirror has measured. */
    async scrollToEnd(): Promise<number> {
        const view = need(activeView(), "an editor");
        view.dispatch({ effects: EditorView.scrollIntoView(view.state.doc.length, { y: "end" }) });
        for (let i = 0; i < 4; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
        return view.scrollDOM.scrollTop;
    },

    /** Puts the cursor (or a selection) in the active editor and focuses it. */
    select(anchor: number, head = anchor): void {
        const view = need(activeView(), "an editor");
        view.dispatch({ selection: EditorSelection.single(anchor, head) });
        view.focus();
    },

    /**
     * Types `text` at the end of the active note in one step: the transaction CodeMirror makes for a
     * keystroke (userEvent "input.type", cursor after the text). Real keystrokes could not hit the end
     * of a note that grows every few milliseconds.
     */
    typeAtEnd(text: string): number {
        const view = need(activeView(), "an editor");
        const end = view.state.doc.length;
        view.dispatch({
            changes: { from: end, insert: text },
            selection: EditorSelection.cursor(end + text.length),
            userEvent: "input.type",
        });
        return end + text.length;
    },

    /** Runs a command by id, as the palette does; false when unavailable. */
    runCommand(id: string): boolean {
        return need(app, "app").commands.executeCommandById(id);
    },

    commandIds(): string[] {
        return Object.keys(need(app, "app").commands.commands);
    },

    commandHotkeys(): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        for (const [id, c] of Object.entries(need(app, "app").commands.commands)) out[id] = c.hotkeys ?? null;
        return out;
    },

    notices(): string[] {
        return [...noticeLog];
    },

    status(): string {
        return (document.querySelector(".status-bar") as HTMLElement).innerText;
    },

    secret(id: string): string | null {
        return need(app, "app").secretStorage?.getSecret(id) ?? null;
    },

    /** Renders the plugin's settings tab (the pre-1.13 `display()` path) into the settings pane. */
    openSettings(): void {
        const a = need(app, "app");
        const pane = document.querySelector(".settings") as HTMLElement;
        pane.empty();
        for (const tab of a.settingTabs) {
            tab.display();
            pane.appendChild(tab.containerEl);
        }
        pane.addClass("is-open");
    },

    /** Starts or stops recording the active editor's text after every change. */
    recordDocs(on: boolean): string[] {
        const out = docLog ?? [];
        docLog = on ? [] : null;
        return out;
    },

    /**
     * Starts recording when each token matching `source` (a global regex) first enters an editor, and
     * when it first arrives in the page in the body of a `/v1/chat/stream` answer (fetch is wrapped:
     * the body is teed, the plugin reads one branch as usual).
     */
    watchTokens(source: string): void {
        tokenWatch = { pattern: new RegExp(source, "g"), seen: {} };
        const pattern = new RegExp(source, "g");
        arrivals = {};
        const arrived = arrivals;
        const original = window.fetch.bind(window);
        window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
            const response = await original(input, init);
            if (!String(input instanceof Request ? input.url : input).endsWith("/v1/chat/stream") || !response.body) return response;
            const [mine, theirs] = response.body.tee();
            void (async () => {
                const reader = theirs.getReader();
                const decoder = new TextDecoder();
                let tail = "";
                for (;;) {
                    const { done, value } = await reader.read();
                    if (done) break;
                    const at = performance.timeOrigin + performance.now();
                    const text = tail + decoder.decode(value, { stream: true });
                    for (const match of text.matchAll(pattern)) arrived[match[0]] ??= at;
                    tail = text.slice(-16);
                }
            })();
            return new Response(mine, { status: response.status, statusText: response.statusText, headers: response.headers });
        };
    },

    tokenTimes(): Record<string, number> {
        return { ...(tokenWatch?.seen ?? {}) };
    },

    /** When each watched token arrived in the page (see watchTokens). */
    tokenArrivals(): Record<string, number> {
        return { ...arrivals };
    },

    /** Unloads the plugin, as disabling it in Obsidian does. */
    unloadPlugin(): void {
        need(plugin, "plugin").unload();
    },
};

(window as unknown as { harness: typeof harness }).harness = harness;
export type Harness = typeof harness;
