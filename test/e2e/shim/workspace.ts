/**
 * `Workspace` and `WorkspaceLeaf` (obsidian.d.ts): tabs, each with one MarkdownView that keeps its
 * CodeMirror view across the notes it shows. A tab strip lets a test (or a person looking at the
 * screenshot) see which note is open.
 */
import { Compartment, type Extension } from "@codemirror/state";
import type { ViewUpdate } from "@codemirror/view";
import type * as obsidian from "obsidian";
import type { Api } from "./api";
import { MarkdownView, type ViewHost } from "./editor";
import { Events } from "./events";
import type { TFile, Vault } from "./vault";

/** `WorkspaceLeaf`: a tab. `view` is its MarkdownView; `openFile` shows a note in it. */
export class WorkspaceLeaf implements Api<obsidian.WorkspaceLeaf, "view" | "openFile" | "detach"> {
    readonly view: MarkdownView;
    readonly tabEl: HTMLElement;
    private readonly containerEl: HTMLElement;

    constructor(
        private readonly workspace: Workspace,
        host: ViewHost,
    ) {
        this.containerEl = workspace.leavesEl.createDiv({ cls: "workspace-leaf" });
        this.view = new MarkdownView(this, host, this.containerEl);
        this.tabEl = workspace.tabsEl.createDiv({ cls: "workspace-tab", text: "New tab" });
        this.tabEl.addEventListener("click", () => workspace.setActiveLeaf(this));
    }

    /** `openFile(file, openState?)`: saves the note shown before, then loads `file`. */
    async openFile(file: TFile, openState?: obsidian.OpenViewState): Promise<void> {
        await this.view.loadFile(file);
        this.tabEl.setText(file.basename);
        if (openState?.active !== false) this.workspace.setActiveLeaf(this);
        this.workspace.trigger("file-open", file);
    }

    /** `getViewState().type`. */
    getViewType(): string {
        return "markdown";
    }

    /** `detach()`: closes the tab; returns nothing, as Obsidian's does (see `close`). */
    detach(): void {
        this.close().catch((err: unknown) => console.error(err));
    }

    /** Harness: `detach()`, resolved once the tab is gone (its note is saved first, as Obsidian does). */
    async close(): Promise<void> {
        await this.view.save();
        this.view.destroy();
        this.containerEl.remove();
        this.tabEl.remove();
        this.workspace.removeLeaf(this);
    }

    setShown(shown: boolean): void {
        this.containerEl.toggleClass("is-hidden", !shown);
        this.tabEl.toggleClass("is-active", shown);
    }
}

export interface WorkspaceOptions {
    vault: Vault;
    autosaveMs: number;
    root: HTMLElement;
    onUpdate?: (update: ViewUpdate) => void;
}

/** `Workspace`: the tabs, the active one, layout-ready and the `file-open`/`active-leaf-change`/`layout-change` events. */
export class Workspace
    extends Events
    implements
        Api<
            obsidian.Workspace,
            | "activeLeaf"
            | "layoutReady"
            | "getLeaf"
            | "setActiveLeaf"
            | "getActiveViewOfType"
            | "getLeavesOfType"
            | "iterateAllLeaves"
            | "getActiveFile"
            | "onLayoutReady"
        >
{
    readonly tabsEl: HTMLElement;
    readonly leavesEl: HTMLElement;
    leaves: WorkspaceLeaf[] = [];
    /** `activeLeaf` (deprecated in the API, used by the shim internally). */
    activeLeaf: WorkspaceLeaf | null = null;
    /** `layoutReady`. */
    layoutReady = false;
    private readonly readyCallbacks: (() => unknown)[] = [];
    private readonly extensions: Extension[] = [];
    private readonly compartment = new Compartment();
    private readonly host: ViewHost;

    constructor(options: WorkspaceOptions) {
        super();
        this.tabsEl = options.root.createDiv({ cls: "workspace-tabs" });
        this.leavesEl = options.root.createDiv({ cls: "workspace-leaves" });
        this.host = {
            vault: options.vault,
            autosaveMs: options.autosaveMs,
            onUpdate: options.onUpdate,
            editorExtensions: () => this.compartment.of(this.extensions),
        };
    }

    /** Adds a plugin's editor extension to every editor, now and later (Plugin.registerEditorExtension). */
    registerEditorExtension(extension: Extension): void {
        this.extensions.push(extension);
        for (const leaf of this.leaves) leaf.view.editor.cm.dispatch({ effects: this.compartment.reconfigure([...this.extensions]) });
    }

    /** `getLeaf(newLeaf?)`: the active tab, or a new one (a split or a window is a new tab here). */
    getLeaf(newLeaf?: obsidian.PaneType | boolean): WorkspaceLeaf {
        if (!newLeaf && this.activeLeaf) return this.activeLeaf;
        const leaf = new WorkspaceLeaf(this, this.host);
        this.leaves.push(leaf);
        this.setActiveLeaf(leaf);
        this.trigger("layout-change");
        return leaf;
    }

    /** `setActiveLeaf(leaf)`. */
    setActiveLeaf(leaf: WorkspaceLeaf): void {
        this.activeLeaf = leaf;
        for (const l of this.leaves) l.setShown(l === leaf);
        this.trigger("active-leaf-change", leaf);
    }

    removeLeaf(leaf: WorkspaceLeaf): void {
        this.leaves = this.leaves.filter((l) => l !== leaf);
        if (this.activeLeaf === leaf) {
            this.activeLeaf = this.leaves[this.leaves.length - 1] ?? null;
            if (this.activeLeaf) this.setActiveLeaf(this.activeLeaf);
        }
        this.trigger("layout-change");
    }

    /** `getActiveViewOfType(type)`. */
    getActiveViewOfType<T>(type: abstract new (...args: never[]) => T): T | null {
        const view = this.activeLeaf?.view;
        return view instanceof type ? view : null;
    }

    /** `getLeavesOfType(viewType)`. */
    getLeavesOfType(viewType: string): WorkspaceLeaf[] {
        return viewType === "markdown" ? [...this.leaves] : [];
    }

    /** `iterateAllLeaves(callback)`. */
    iterateAllLeaves(callback: (leaf: WorkspaceLeaf) => unknown): void {
        for (const leaf of this.leaves) callback(leaf);
    }

    /** `getActiveFile()`. */
    getActiveFile(): TFile | null {
        return this.activeLeaf?.view.file ?? null;
    }

    /** `onLayoutReady(callback)`: now when ready, else once it is. */
    onLayoutReady(callback: () => unknown): void {
        if (this.layoutReady) callback();
        else this.readyCallbacks.push(callback);
    }

    setLayoutReady(): void {
        this.layoutReady = true;
        for (const cb of this.readyCallbacks.splice(0)) cb();
    }
}
