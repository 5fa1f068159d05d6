/**
 * The EditorPort over Obsidian's workspace: which CodeMirror view shows which note. Obsidian exposes
 * the CM6 view as `editor.cm` (documented in "Communicating with editor extensions", untyped), and
 * keeps one view per tab across the notes the tab shows, so the answer is asked afresh every time.
 */
import { MarkdownView, type Workspace } from "obsidian";
import { EditorView } from "@codemirror/view";
import type { EditorPort } from "../stream/ports";

/** The CodeMirror 6 view behind a markdown view's editor. */
export function cmOf(view: MarkdownView): EditorView | null {
    const cm = (view.editor as unknown as { cm?: unknown }).cm;
    return cm instanceof EditorView ? cm : null;
}

export class WorkspaceEditors implements EditorPort {
    constructor(private readonly workspace: Workspace) {}

    /** The markdown views of every open tab, the active one first. */
    markdownViews(): MarkdownView[] {
        const active = this.workspace.getActiveViewOfType(MarkdownView);
        const views = this.workspace
            .getLeavesOfType("markdown")
            .map((leaf) => leaf.view)
            .filter((view): view is MarkdownView => view instanceof MarkdownView && view !== active);
        return active ? [active, ...views] : views;
    }

    /** The active note's path and CodeMirror view, when a markdown editor is active. */
    active(): { path: string; view: EditorView; markdown: MarkdownView } | null {
        const markdown = this.workspace.getActiveViewOfType(MarkdownView);
        const view = markdown ? cmOf(markdown) : null;
        if (!markdown?.file || !view) return null;
        return { path: markdown.file.path, view, markdown };
    }

    /** Every open tab's note and CodeMirror view. */
    openNotes(): Array<{ path: string; view: EditorView }> {
        const notes: Array<{ path: string; view: EditorView }> = [];
        for (const markdown of this.markdownViews()) {
            const view = cmOf(markdown);
            if (markdown.file && view) notes.push({ path: markdown.file.path, view });
        }
        return notes;
    }

    viewFor(path: string): EditorView | null {
        for (const markdown of this.markdownViews()) {
            if (markdown.file?.path !== path) continue;
            const view = cmOf(markdown);
            if (view) return view;
        }
        return null;
    }

    shows(view: EditorView, path: string): boolean {
        return this.pathOf(view) === path;
    }

    pathOf(view: EditorView): string | null {
        for (const markdown of this.markdownViews()) {
            if (cmOf(markdown) === view) return markdown.file?.path ?? null;
        }
        return null;
    }

    requestSave(path: string): void {
        for (const markdown of this.markdownViews()) if (markdown.file?.path === path) markdown.requestSave();
    }

    /** Saves every tab that shows the note, now. */
    async save(path: string): Promise<void> {
        await Promise.all(
            this.markdownViews()
                .filter((m) => m.file?.path === path)
                .map((m) => m.save()),
        );
    }
}
