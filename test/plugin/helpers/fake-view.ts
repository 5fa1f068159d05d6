/**
 * A CodeMirror view without a DOM, for node: a real EditorState that dispatch updates, and the
 * state's update listeners called the way EditorView calls them (same ViewUpdate fields the plugin
 * reads: view, state, startState, transactions). `setState` swaps the document without telling
 * listeners, as EditorView.setState does when Obsidian opens another note in the tab.
 */
import { EditorSelection, EditorState, type Extension, Transaction, type TransactionSpec } from "@codemirror/state";
import { EditorView, type ViewUpdate } from "@codemirror/view";

export class FakeView {
    state: EditorState;
    /** Where EditorView dispatches scroll events; no DOM here, so nothing ever scrolls. */
    readonly scrollDOM = new EventTarget();
    /** Every transaction applied, in order (the plugin's and the person's). */
    readonly log: Transaction[] = [];

    constructor(doc: string, extensions: Extension = []) {
        this.state = EditorState.create({ doc, extensions });
    }

    get doc(): string {
        return this.state.doc.toString();
    }

    dispatch(...input: (Transaction | readonly Transaction[] | TransactionSpec)[]): void {
        let trs: Transaction[];
        if (input.length === 1 && Array.isArray(input[0])) trs = [...(input[0] as Transaction[])];
        else if (input.length === 1 && input[0] instanceof Transaction) trs = [input[0]];
        else trs = [this.state.update(...(input as TransactionSpec[]))];
        const startState = this.state;
        for (const tr of trs) {
            if (tr.startState !== this.state) throw new Error("FakeView: transaction does not start from the current state");
            this.state = tr.state;
            this.log.push(tr);
        }
        const update = {
            view: this as unknown as EditorView,
            state: this.state,
            startState,
            transactions: trs,
            docChanged: trs.some((t) => t.docChanged),
        } as unknown as ViewUpdate;
        for (const listener of this.state.facet(EditorView.updateListener)) listener(update);
    }

    /** The person types `text` at `at` (their cursor ends after it). */
    type(at: number, text: string): void {
        this.dispatch({
            changes: { from: at, insert: text },
            selection: EditorSelection.cursor(at + text.length),
            userEvent: "input.type",
        });
    }

    /** The person deletes [from, to). */
    erase(from: number, to: number): void {
        this.dispatch({ changes: { from, to }, userEvent: "delete" });
    }

    /** The person puts the cursor (or a selection) somewhere. */
    select(anchor: number, head = anchor): void {
        this.dispatch({ selection: EditorSelection.single(anchor, head) });
    }

    get cursor(): number {
        return this.state.selection.main.head;
    }

    /** Another note opens in this tab: a new state, no update reported (EditorView.setState). */
    setState(doc: string, extensions: Extension = []): void {
        this.state = EditorState.create({ doc, extensions });
    }

    asView(): EditorView {
        return this as unknown as EditorView;
    }
}
