/**
 * `Editor` and `MarkdownView` (obsidian.d.ts) backed by a real CodeMirror 6 EditorView, which
 * Obsidian exposes as `editor.cm`. Like Obsidian, a tab keeps one EditorView for every note it shows
 * and swaps the document with `setState` (history reset) when it opens another one; typing
 * autosaves after a pause through `Vault.modify` (never through the save command).
 */
import { ChangeSet, EditorSelection, EditorState, type Extension, RangeSetBuilder } from "@codemirror/state";
import { deltaEdit, diffText } from "../../../shared/protocol/delta";
import {
    Decoration,
    type DecorationSet,
    drawSelection,
    EditorView,
    highlightActiveLine,
    ViewPlugin,
    type ViewUpdate,
} from "@codemirror/view";
import type * as obsidian from "obsidian";
import type { Api } from "./api";
import { Component } from "./events";
import type { TFile, Vault } from "./vault";
import type { WorkspaceLeaf } from "./workspace";

/** `EditorPosition`: zero-based line and character. */
export interface EditorPosition {
    line: number;
    ch: number;
}

/** `Editor`: the wrapper plugins get as `view.editor`; `cm` is the CodeMirror view. */
export class Editor implements Api<
    obsidian.Editor,
    | "getValue"
    | "setValue"
    | "offsetToPos"
    | "posToOffset"
    | "getCursor"
    | "setCursor"
    | "getSelection"
    | "getLine"
    | "lineCount"
    | "replaceRange"
    | "focus"
    | "hasFocus"
> {
    constructor(readonly cm: EditorView) {}
    /** `getValue()`. */
    getValue(): string {
        return this.cm.state.doc.toString();
    }
    /** `setValue(content)`. */
    setValue(content: string): void {
        this.cm.dispatch({ changes: { from: 0, to: this.cm.state.doc.length, insert: content } });
    }
    /** `offsetToPos(offset)`. */
    offsetToPos(offset: number): EditorPosition {
        const line = this.cm.state.doc.lineAt(offset);
        return { line: line.number - 1, ch: offset - line.from };
    }
    /** `posToOffset(pos)`. */
    posToOffset(pos: EditorPosition): number {
        return this.cm.state.doc.line(pos.line + 1).from + pos.ch;
    }
    /** `getCursor(which?)`: the head of the main selection. */
    getCursor(): EditorPosition {
        return this.offsetToPos(this.cm.state.selection.main.head);
    }
    /** `setCursor(pos)`. */
    setCursor(pos: EditorPosition | number, ch?: number): void {
        const offset = typeof pos === "number" ? this.posToOffset({ line: pos, ch: ch ?? 0 }) : this.posToOffset(pos);
        this.cm.dispatch({ selection: EditorSelection.cursor(offset), scrollIntoView: true });
    }
    /** `getSelection()`. */
    getSelection(): string {
        const { from, to } = this.cm.state.selection.main;
        return this.cm.state.sliceDoc(from, to);
    }
    /** `getLine(line)`. */
    getLine(line: number): string {
        return this.cm.state.doc.line(line + 1).text;
    }
    /** `lineCount()`. */
    lineCount(): number {
        return this.cm.state.doc.lines;
    }
    /** `replaceRange(text, from, to?)`. */
    replaceRange(text: string, from: EditorPosition, to?: EditorPosition): void {
        this.cm.dispatch({ changes: { from: this.posToOffset(from), to: to ? this.posToOffset(to) : undefined, insert: text } });
    }
    /** `focus()`. */
    focus(): void {
        this.cm.focus();
    }
    /** `hasFocus()`. */
    hasFocus(): boolean {
        return this.cm.hasFocus;
    }
}

/**
 * Line classes for headings, fences and quotes over the visible lines: a little of the per-line work
 * Obsidian's Live Preview does, so the editor is not unrealistically cheap.
 */
const markdownLines = ViewPlugin.fromClass(
    class {
        decorations: DecorationSet;
        constructor(view: EditorView) {
            this.decorations = this.build(view);
        }
        update(update: ViewUpdate): void {
            if (update.docChanged || update.viewportChanged) this.decorations = this.build(update.view);
        }
        build(view: EditorView): DecorationSet {
            const builder = new RangeSetBuilder<Decoration>();
            for (const { from, to } of view.visibleRanges) {
                for (let pos = from; pos <= to;) {
                    const line = view.state.doc.lineAt(pos);
                    const cls = /^#{1,6} /.test(line.text)
                        ? "md-heading"
                        : /^(```|~~~)/.test(line.text)
                          ? "md-fence"
                          : line.text.startsWith(">")
                            ? "md-quote"
                            : null;
                    if (cls) builder.add(line.from, line.from, Decoration.line({ class: cls }));
                    pos = line.to + 1;
                }
            }
            return builder.finish();
        }
    },
    { decorations: (v) => v.decorations },
);

/** The editor's own extensions, the same in the e2e harness and the bench. */
export function editorBaseExtensions(): Extension {
    return [EditorView.lineWrapping, drawSelection(), highlightActiveLine(), markdownLines];
}

function changeOf(from: string, to: string): ChangeSet {
    const d = diffText(from, to);
    return ChangeSet.of(d ? [deltaEdit(d)] : [], from.length);
}

/** What a MarkdownView needs from the app around it. */
export interface ViewHost {
    vault: Vault;
    /** Extensions registered by plugins (`registerEditorExtension`), read when a document loads. */
    editorExtensions(): Extension;
    autosaveMs: number;
    /** Called for every editor update (the harness records them for tests). */
    onUpdate?: (update: ViewUpdate) => void;
}

/** `MarkdownView`: a tab's note editor. `file`, `editor`, `save()`, `requestSave()` are what plugins use. */
export class MarkdownView
    extends Component
    implements
        Api<
            obsidian.MarkdownView,
            "file" | "editor" | "leaf" | "containerEl" | "getViewType" | "getViewData" | "setViewData" | "save" | "requestSave"
        >
{
    file: TFile | null = null;
    readonly editor: Editor;
    readonly containerEl: HTMLElement;
    private saved = "";
    private saveTimer: number | null = null;

    constructor(
        readonly leaf: WorkspaceLeaf,
        private readonly host: ViewHost,
        parent: HTMLElement,
    ) {
        super();
        this.containerEl = parent.createDiv({ cls: "markdown-view" });
        this.editor = new Editor(new EditorView({ state: this.freshState(""), parent: this.containerEl }));
    }

    /** `getViewType()`. */
    getViewType(): string {
        return "markdown";
    }

    /** `getViewData()`: the editor's text. */
    getViewData(): string {
        return this.editor.cm.state.doc.toString();
    }

    /** `setViewData(data, clear)`: `clear` = a new note (fresh state), as when the tab opens another file. */
    setViewData(data: string, clear: boolean): void {
        if (clear) this.editor.cm.setState(this.freshState(data));
        else this.editor.cm.dispatch({ changes: { from: 0, to: this.editor.cm.state.doc.length, insert: data } });
    }

    /** `save()`: writes the editor's text when it changed since the last load or save. */
    async save(): Promise<void> {
        if (this.saveTimer !== null) window.clearTimeout(this.saveTimer);
        this.saveTimer = null;
        if (!this.file) return;
        const data = this.getViewData();
        if (data === this.saved) return;
        this.saved = data;
        await this.host.vault.modify(this.file, data);
    }

    /** `requestSave()`: Obsidian's debounced autosave. */
    requestSave = (): void => {
        if (this.saveTimer !== null) window.clearTimeout(this.saveTimer);
        this.saveTimer = window.setTimeout(() => void this.save(), this.host.autosaveMs);
    };

    /**
     * Opens `file` in this view, as `FileView.loadFile`: the old note is saved first, then `file` is
     * set, then its text is read and loaded. Between those two steps the view already names the new
     * file while its editor still holds the old text, as in Obsidian.
     */
    async loadFile(file: TFile | null): Promise<void> {
        if (this.file) await this.save();
        this.file = file;
        if (!file) {
            this.setViewData("", true);
            return;
        }
        const data = await this.host.vault.read(file);
        this.saved = data;
        this.setViewData(data, true);
    }

    /**
     * What Obsidian does when another program changed the open note on disk: a three-way merge of the
     * file's change (since the last load or save) with the editor's unsaved edits, applied as one
     * transaction without a `userEvent` (neither typed nor the plugin's), then `modify` on the vault.
     */
    async mergeFromDisk(): Promise<boolean> {
        const file = this.file;
        if (!file) return false;
        const disk = await this.host.vault.read(file).catch(() => null);
        if (disk === null || disk === this.saved || this.file !== file) return false;
        const base = this.saved;
        const theirs = changeOf(base, disk);
        const ours = changeOf(base, this.getViewData());
        this.saved = disk;
        this.editor.cm.dispatch({ changes: theirs.map(ours) });
        this.host.vault.trigger("modify", file);
        return true;
    }

    destroy(): void {
        if (this.saveTimer !== null) window.clearTimeout(this.saveTimer);
        this.editor.cm.destroy();
        this.containerEl.remove();
    }

    private freshState(doc: string): EditorState {
        return EditorState.create({
            doc,
            extensions: [
                editorBaseExtensions(),
                EditorView.updateListener.of((update) => {
                    if (update.docChanged) this.requestSave();
                    this.host.onUpdate?.(update);
                }),
                this.host.editorExtensions(),
            ],
        });
    }
}
