/**
 * Where a streaming reply lives in a document that the person keeps editing.
 *
 * The daemon's deltas are edits of the reply text; the document is the note, which the person may
 * change anywhere meanwhile: above the reply, inside it, after it. The region keeps
 *   - `start`: the document offset where the reply begins, mapped through every outside change;
 *   - `shown`: the reply text the plugin has put in so far (reply coordinates);
 *   - `edits`: a CodeMirror ChangeSet from `shown` to the region's actual text, i.e. the person's
 *     edits inside the reply.
 * A new version of the reply becomes one change of `shown`, rebased over `edits` (ChangeSet.map, the
 * operational-transform step CodeMirror's collab uses), so the person's text is never overwritten and
 * the plugin's text lands where the reply is, not where it was.
 *
 * Boundary rule: text inserted exactly at the reply's start belongs above it, exactly at its end
 * below it. So the person typing at the end of their question (where the cursor usually is when they
 * save) types above the reply, and text typed after the reply stays after it as the reply grows.
 */
import { ChangeSet, type ChangeSpec } from "@codemirror/state";
import { deltaEdit, diffText } from "../../shared/protocol/delta";
import type { TextEdit } from "../chat-note";

export class ReplyRegion {
    private edits: ChangeSet;

    /**
     * @param start document offset of the reply (the submitted text's `replyAnchor`)
     * @param shown what the region holds now: what the reply replaces (the submitted text's trailing
     *   whitespace, and the failed turn it retries)
     */
    constructor(
        public start: number,
        public shown: string,
    ) {
        this.edits = ChangeSet.empty(shown.length);
    }

    /** Length of the region in the document (the reply plus the person's edits inside it). */
    get length(): number {
        return this.edits.newLength;
    }

    get end(): number {
        return this.start + this.length;
    }

    /** True while the person has not edited inside the reply. */
    get untouched(): boolean {
        return this.edits.empty;
    }

    /** Starts over at `start` holding `shown` (before anything was written; see ReplyTurn.adoptAnchor). */
    retarget(start: number, shown: string): void {
        this.start = start;
        this.shown = shown;
        this.edits = ChangeSet.empty(shown.length);
    }

    /** Follows a change the plugin did not make, given against the document as it was before it. */
    mapThrough(changes: ChangeSet): void {
        const { start, end } = this;
        const inner: ChangeSpec[] = [];
        changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
            if (fromA === toA) {
                // A pure insertion: inside only strictly between the ends (see the boundary rule).
                if (fromA > start && fromA < end) inner.push({ from: fromA - start, insert: inserted.toString() });
                return;
            }
            const from = Math.max(fromA, start);
            const to = Math.min(toA, end);
            if (from >= to) return;
            // A replacement that reaches outside the reply leaves its new text outside too.
            const insert = fromA >= start && toA <= end ? inserted.toString() : "";
            inner.push({ from: from - start, to: to - start, insert });
        });
        this.start = changes.mapPos(start, 1);
        if (inner.length > 0) this.edits = this.edits.compose(ChangeSet.of(inner, this.length));
    }

    /**
     * Moves the shown reply to `desired` and returns the document edits that do it (sorted, against
     * the document as it is now). The caller must apply them: the region already counts them as done.
     */
    render(desired: string): TextEdit[] {
        const delta = diffText(this.shown, desired);
        if (!delta) return [];
        const change = ChangeSet.of(deltaEdit(delta), this.shown.length);
        const inDoc = change.map(this.edits);
        this.edits = this.edits.map(change, true);
        this.shown = desired;
        const out: TextEdit[] = [];
        inDoc.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
            out.push({ from: this.start + fromA, to: this.start + toA, insert: inserted.toString() });
        });
        return out;
    }

    /**
     * The edits that take the plugin's text out of the region and put `restore` (the whitespace the
     * reply replaced) back, keeping the person's own edits: the inverse of the whole reply, for undo.
     */
    removal(restore: string): TextEdit[] {
        const out: TextEdit[] = [];
        this.edits.iterGaps((_posA, posB, length) => {
            out.push({ from: this.start + posB, to: this.start + posB + length, insert: "" });
        });
        if (out[0]?.from === this.start) out[0].insert = restore;
        else out.unshift({ from: this.start, to: this.start, insert: restore });
        return out;
    }

    /**
     * Catches up with a document that changed without the plugin seeing how (a file on disk, an
     * editor that loaded it). `model` is the document as the region last knew it.
     *
     * 1. The text around the reply is unchanged and the person had not edited inside the reply: the
     *    region holds whatever `doc` has there — an older version of the reply, when Obsidian saved
     *    the editor a moment before the plugin's last edit reached it.
     * 2. The reply is found intact in `doc`: whatever changed around it is an outside edit.
     * 3. Otherwise the difference, as one edit, is treated as an outside change.
     *
     * With `strict` (before writing into an editor) only case 1 and an unchanged document are
     * accepted: an editor that does not hold exactly the text around the reply may still be showing
     * another note (Obsidian names the new file a moment before it loads its text), and writing
     * there would put the reply into the wrong note. Returns whether the region now fits `doc`.
     */
    reconcile(model: string, doc: string, strict = false): boolean {
        if (model === doc) return true;
        const { start, end } = this;
        const prefix = model.slice(0, start);
        const suffix = model.slice(end);
        const around = doc.length >= prefix.length + suffix.length && doc.startsWith(prefix) && doc.endsWith(suffix);
        if (around && this.untouched) {
            this.shown = doc.slice(prefix.length, doc.length - suffix.length);
            this.edits = ChangeSet.empty(this.shown.length);
            return true;
        }
        if (strict) return false;
        const inner = model.slice(start, end);
        const at = inner === "" ? -1 : nearest(doc, inner, start);
        if (at >= 0) {
            const edits: ChangeSpec[] = [];
            const before = diffText(prefix, doc.slice(0, at));
            if (before) edits.push(deltaEdit(before));
            const after = diffText(suffix, doc.slice(at + inner.length));
            if (after) edits.push(deltaEdit(after, end));
            this.mapThrough(ChangeSet.of(edits, model.length));
            return true;
        }
        const delta = diffText(model, doc);
        if (delta) this.mapThrough(ChangeSet.of(deltaEdit(delta), model.length));
        return true;
    }
}

/** The occurrence of `needle` in `hay` closest to `near`, or -1. */
function nearest(hay: string, needle: string, near: number): number {
    const after = hay.indexOf(needle, near);
    const before = hay.lastIndexOf(needle, near);
    if (after < 0) return before;
    if (before < 0) return after;
    return near - before <= after - near ? before : after;
}
