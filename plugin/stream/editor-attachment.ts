/**
 * The link between a streaming reply and one CodeMirror 6 editor (Obsidian's `editor.cm`).
 *
 * One update listener, registered once as an editor extension, sees every transaction of every
 * editor and hands it to the attachment watching that editor, which maps the reply's region through
 * the person's changes. The plugin's own transactions carry the `lodgeEdit` annotation and are
 * skipped: the region already counts them, and the idle sender must not mistake them for typing.
 *
 * Obsidian reuses one editor per tab and swaps the document with `setState` when the tab opens
 * another note; no transaction reports that. So an attachment remembers the state it last saw, and
 * once the editor's state is a different one it is no longer current: the reply must go elsewhere.
 */
import { Annotation, type EditorState, type StateEffect, Transaction, type TransactionSpec } from "@codemirror/state";
import { EditorView, type ViewUpdate } from "@codemirror/view";
import type { TextEdit } from "../chat-note";
import type { ReplyRegion } from "./reply-region";

/** Marks the plugin's own transactions. */
export const lodgeEdit = Annotation.define<true>();

/** What the plugin's streaming transactions carry: ours, and not an undo step of their own. */
function streamAnnotations(): TransactionSpec["annotations"] {
    return [lodgeEdit.of(true), Transaction.addToHistory.of(false)];
}

type UpdateHandler = (update: ViewUpdate) => void;
type UserEditHandler = (view: EditorView, update: ViewUpdate) => void;
type AnyUpdateHandler = (update: ViewUpdate) => void;

/** Routes editor updates to whoever watches that editor. */
export class EditorRegistry {
    private readonly watchers = new Map<EditorView, Set<UpdateHandler>>();
    private readonly userEditHandlers = new Set<UserEditHandler>();
    private readonly anyHandlers = new Set<AnyUpdateHandler>();
    private readonly foreignHandlers = new Set<UserEditHandler>();

    /** The extension to register with `Plugin.registerEditorExtension`. */
    readonly extension = EditorView.updateListener.of((update) => this.onUpdate(update));

    watch(view: EditorView, handler: UpdateHandler): () => void {
        let set = this.watchers.get(view);
        if (!set) this.watchers.set(view, (set = new Set()));
        set.add(handler);
        return () => {
            set.delete(handler);
            if (set.size === 0) this.watchers.delete(view);
        };
    }

    /** Called after any update where the person (not the plugin) changed the document. */
    onUserEdit(handler: UserEditHandler): () => void {
        this.userEditHandlers.add(handler);
        return () => this.userEditHandlers.delete(handler);
    }

    /** Called after every update of every editor (a detached turn looks for its note coming back). */
    onAnyUpdate(handler: AnyUpdateHandler): () => void {
        this.anyHandlers.add(handler);
        return () => this.anyHandlers.delete(handler);
    }

    /**
     * Called after an update whose document change came from neither the person (no `userEvent`) nor
     * the plugin: Obsidian merging a change made on disk by another program into the open note.
     */
    onForeignChange(handler: UserEditHandler): () => void {
        this.foreignHandlers.add(handler);
        return () => this.foreignHandlers.delete(handler);
    }

    private onUpdate(update: ViewUpdate): void {
        // Copies: a handler may add or remove handlers.
        for (const handler of [...(this.watchers.get(update.view) ?? [])]) handler(update);
        for (const handler of [...this.anyHandlers]) handler(update);
        if (update.transactions.some((tr) => tr.docChanged && !tr.annotation(lodgeEdit))) {
            for (const handler of [...this.userEditHandlers]) handler(update.view, update);
        }
        if (
            update.transactions.some(
                (tr) => tr.docChanged && !tr.annotation(lodgeEdit) && tr.annotation(Transaction.userEvent) === undefined,
            )
        ) {
            for (const handler of [...this.foreignHandlers]) handler(update.view, update);
        }
    }
}

export class EditorAttachment {
    private lastState: EditorState;
    private lost = false;
    private readonly unwatch: () => void;
    /**
     * The scroll position to keep, taken once and mapped through every change since: taking it reads the
     * editor's scrollTop, which forces a layout of the page (0.4 ms a flush in a 1 MB note, a sixth of
     * the plugin's editor time). The person's scrolling, and only that, makes a new one necessary.
     */
    private snapshot: StateEffect<unknown> | null = null;
    private readonly forgetSnapshot = (): void => {
        this.snapshot = null;
    };

    /** @param state the editor state the region was reconciled with (the view's, unless attaching mid-update) */
    constructor(
        readonly view: EditorView,
        private readonly region: ReplyRegion,
        registry: EditorRegistry,
        state: EditorState = view.state,
    ) {
        this.lastState = state;
        this.unwatch = registry.watch(view, (update) => this.onUpdate(update));
        view.scrollDOM.addEventListener("scroll", this.forgetSnapshot, { passive: true });
    }

    /** The editor still holds the document the region was measured in. */
    get current(): boolean {
        return !this.lost && this.view.state === this.lastState;
    }

    /** The document as the region last knew it (what Obsidian saved when the tab moved on). */
    get lastText(): string {
        return this.lastState.doc.toString();
    }

    dispose(): void {
        this.unwatch();
        this.view.scrollDOM.removeEventListener("scroll", this.forgetSnapshot);
    }

    /**
     * Applies the plugin's edits (from ReplyRegion.render) as one transaction. The view stays where
     * the person has it: CodeMirror would otherwise follow text growing at the bottom of a note
     * scrolled to its end, moving the view under the person's eyes and costing a second measure
     * cycle per transaction for the scroll it makes.
     */
    apply(edits: TextEdit[]): void {
        if (edits.length === 0) return;
        this.view.dispatch({ changes: edits, annotations: streamAnnotations(), effects: this.keepView() });
    }

    /**
     * The end of the turn, in one view update: the frontmatter change, the last reply edits, and then
     * the whole reply re-expressed as a single undoable step. The streamed edits stayed out of the undo
     * history; here the reply is taken out and put back (net: no change), and only the putting back is
     * recorded, so one undo removes the whole reply while the person's own edits keep their steps.
     * No scroll snapshot here: CodeMirror's own scroll anchor keeps the view exactly in place across
     * the frontmatter change above it, where a snapshot, measured against estimated heights, can be
     * a line or two off.
     */
    finish(frontmatter: TextEdit | null, desired: string, restore: string): void {
        const trs: Transaction[] = [];
        let state = this.view.state;
        if (frontmatter) {
            const tr = state.update({ changes: frontmatter, annotations: streamAnnotations() });
            this.region.mapThrough(tr.changes);
            trs.push(tr);
            state = tr.state;
        }
        const edits = this.region.render(desired);
        if (edits.length > 0) {
            const tr = state.update({ changes: edits, annotations: streamAnnotations() });
            trs.push(tr);
            state = tr.state;
        }
        const removal = state.update({ changes: this.region.removal(restore), annotations: streamAnnotations() });
        if (!removal.changes.empty) {
            const putBack = removal.state.update({
                changes: removal.changes.invert(state.doc),
                selection: state.selection,
                annotations: [lodgeEdit.of(true), Transaction.userEvent.of("lodge.reply")],
            });
            trs.push(removal, putBack);
        }
        if (trs.length === 0) return;
        // As one view update where CodeMirror takes an array (6.22+): applied one by one, the removal
        // would first shorten the note and the browser could clamp the scroll position. Older editors
        // (Obsidian 1.4 era) get them one by one, in this task, so nothing is painted between.
        if (typeof (this.view as unknown as { dispatchTransactions?: unknown }).dispatchTransactions === "function")
            this.view.dispatch(trs);
        else for (const tr of trs) this.view.dispatch(tr);
    }

    /**
     * The effect that keeps the view's scroll position (`scrollSnapshot`), when CodeMirror has it and
     * the editor is on screen: a hidden tab has no scroll position to keep, and a snapshot taken there
     * would scroll it to the top once shown.
     */
    private keepView(): StateEffect<unknown>[] {
        if (typeof this.view.scrollSnapshot !== "function" || !this.view.inView) {
            this.snapshot = null;
            return [];
        }
        this.snapshot ??= this.view.scrollSnapshot();
        return [this.snapshot];
    }

    /** Maps the person's changes of one editor update through the region. */
    onUpdate(update: ViewUpdate): void {
        if (update.startState !== this.lastState) {
            // The document was swapped (another note opened in this tab) before this update; a kept
            // scroll position belongs to the old one (mapping it through this update could throw).
            this.lost = true;
            this.snapshot = null;
            return;
        }
        if (this.lost) return;
        if (this.snapshot && update.docChanged) this.snapshot = this.snapshot.map(update.changes) ?? null;
        for (const tr of update.transactions) {
            if (tr.docChanged && !tr.annotation(lodgeEdit)) this.region.mapThrough(tr.changes);
        }
        this.lastState = update.state;
    }
}
