/**
 * One streaming turn, bound to its file rather than to an editor (obsidian-platform.md §7 pitfall 1).
 *
 * Deltas update `target`, the reply as the daemon has it. Once per animation frame the turn brings the
 * note up to date in one edit: into the editor that shows the note when there is one, otherwise into
 * the file through `Vault.process` (an atomic read-modify-write), re-attaching to an editor when the
 * note is opened again. Grouping per frame is what keeps a 2,000-delta reply cheap (CONTRIBUTING.md).
 */
import { applyDelta } from "../../shared/protocol/delta";
import type { StreamEvent } from "../../shared/protocol/events";
import { replyAnchor } from "../../shared/note/failed-turn";
import { findFrontmatter } from "../../shared/note/frontmatter-bounds";
import { applyEdits, type TextEdit } from "../chat-note";
import { EditorAttachment } from "./editor-attachment";
import { mergeFrontmatter } from "./frontmatter-merge";
import type { TurnDeps, TurnEnd } from "./ports";
import { visiblePart } from "./hold-back";
import { ReplyRegion } from "./reply-region";
import type { EditorState } from "@codemirror/state";
import type { EditorView } from "@codemirror/view";

/** How often a note that no editor shows is written while the reply streams. */
const FILE_WRITE_INTERVAL_MS = 250;

/**
 * Pace of editor flushes. CodeMirror's cost is per transaction, not per character: the dispatch,
 * then a measure cycle costing about as much again (measured in Chromium, alike in a 5 KB and a 1 MB
 * note). The turn times its own flushes and spaces them so the editor stays within CONTRIBUTING.md's
 * main-thread budgets (300 ms over a 10 s reply; a quarter of what a snapshot-diffing client spends):
 * DISPATCH_MULTIPLE times the flush's cost apart, never closer than MIN nor further than MAX. A
 * transaction (dispatch and measure) costs 1.7–2.2 ms here, so that is about every 90 ms: ~105
 * transactions, ~210 ms, for the bench's 10 s reply, and text lands within about one interval and a
 * frame (p99 ≤ 150 ms); docs/plugin.md explains the trade against latency. A busy machine gets fewer updates.
 */
const MIN_FLUSH_INTERVAL_MS = 90;
const MAX_FLUSH_INTERVAL_MS = 130;
const DISPATCH_MULTIPLE = 40;

export class ReplyTurn {
    agent: string | null = null;
    private target = "";
    private readonly region: ReplyRegion;
    private readonly submittedFrontmatter: string;
    /** Where the reply starts in the submitted text (docs/api.md `anchor`). */
    private readonly anchor: number;
    private restore: string;
    private attachment: EditorAttachment | null;
    /** The note's text as the region knows it, while no editor is attached. */
    private model: string | null = null;
    private cancelFrame: (() => void) | null = null;
    private stopWatching: (() => void) | null = null;
    /** A delta arrived: until then the note is left exactly as sent (its trailing whitespace too). */
    private received = false;
    private fileWrites: Promise<void> = Promise.resolve();
    /** A file write is queued and has not read the reply yet: later flushes need not queue another. */
    private writeScheduled = false;
    /** The final write found an editor attached again: the editor must get the end of the turn. */
    private finalSkipped = false;
    private lastFileWrite = -Infinity;
    private lastFlush = -Infinity;
    /** Moving average of an editor flush's cost, ms. */
    private flushCost = 0;
    private writeError: Error | null = null;

    /**
     * @param path the note, as the vault names it (updated on rename)
     * @param view the editor the note was sent from
     * @param text the note's text as sent (or, rejoining, as the editor holds it)
     * @param rejoinAt rejoining a turn: where its reply is in `text` (the daemon's anchor counts in another text)
     */
    constructor(
        private readonly deps: TurnDeps,
        public path: string,
        view: EditorView,
        readonly text: string,
        private readonly rejoinAt?: number,
    ) {
        // docs/api.md anchor: the reply replaces the trailing whitespace, or the failed turn it retries
        // (the region then starts holding that turn, and the first delta takes its callouts away).
        const anchor = rejoinAt ?? replyAnchor(text);
        this.anchor = anchor;
        this.region = new ReplyRegion(anchor, text.slice(anchor));
        const fm = findFrontmatter(text);
        this.submittedFrontmatter = fm ? text.slice(0, fm.end) : "";
        this.restore = text.slice(anchor);
        this.attachment = new EditorAttachment(view, this.region, deps.registry);
    }

    /** Handles one event; returns how the turn ended once it has (done, error), else null. */
    async handle(event: StreamEvent): Promise<TurnEnd | null> {
        switch (event.event) {
            case "start":
                this.agent = event.data.agent;
                this.adoptAnchor(event.data.anchor);
                return null;
            case "delta":
                this.received = true;
                this.target = applyDelta(this.target, event.data);
                this.schedule();
                return null;
            case "done":
                if (event.data.status !== "nothing_to_do") {
                    this.target = event.data.reply;
                    await this.finish(event.data.frontmatter);
                } else {
                    this.dispose();
                }
                return { kind: "done", event: event.data };
            case "error":
                // The error callout already arrived as deltas: show all of it.
                await this.finish(null);
                return { kind: "error", code: event.data.code, message: event.data.message };
        }
    }

    /**
     * The daemon's anchor is the contract (docs/api.md). The turn computed the same rule itself when it
     * was sent, so the person's edits are tracked from that moment; should the two ever differ, the
     * daemon's wins, as long as nothing was written yet and the person has not edited the region.
     */
    private adoptAnchor(anchor: number): void {
        const ours = this.anchor;
        if (
            this.rejoinAt !== undefined ||
            anchor === ours ||
            this.received ||
            !this.region.untouched ||
            anchor < 0 ||
            anchor > this.text.length
        )
            return;
        this.restore = this.text.slice(anchor);
        this.region.retarget(this.region.start + anchor - ours, this.restore);
    }

    /** The stream ended without a terminal event, or the plugin unloads: show what arrived, stop. */
    async abandon(): Promise<TurnEnd> {
        if (this.received) this.flush(true);
        await this.fileWrites;
        this.dispose();
        return { kind: "dropped" };
    }

    /** The reply text received so far (for tests and the bench). */
    get reply(): string {
        return this.target;
    }

    private schedule(): void {
        if (this.cancelFrame) return;
        const interval = Math.min(MAX_FLUSH_INTERVAL_MS, Math.max(MIN_FLUSH_INTERVAL_MS, this.flushCost * DISPATCH_MULTIPLE));
        const wait = this.lastFlush + interval - this.deps.now();
        this.cancelFrame = this.deps.frame(
            () => {
                this.cancelFrame = null;
                this.flush(false);
            },
            wait > 0 ? wait : undefined,
        );
    }

    private flush(final: boolean): void {
        const desired = final ? this.target : visiblePart(this.target);
        const attachment = this.locate();
        if (!attachment) {
            this.writeFile(final, null);
            return;
        }
        const start = this.deps.now();
        attachment.apply(this.region.render(desired));
        this.lastFlush = this.deps.now();
        const cost = this.lastFlush - start;
        this.flushCost = this.flushCost === 0 ? cost : 0.8 * this.flushCost + 0.2 * cost;
    }

    private async finish(frontmatter: string | null): Promise<void> {
        this.cancelFrame?.();
        this.cancelFrame = null;
        if (this.target === "" && frontmatter === null) {
            this.dispose();
            return;
        }
        const attachment = this.locate();
        if (attachment) this.finishIn(attachment, frontmatter);
        else this.writeFile(true, frontmatter);
        await this.fileWrites;
        if (this.finalSkipped && this.attachment) this.finishIn(this.attachment, frontmatter);
        this.dispose();
        if (this.writeError !== null) throw this.writeError;
    }

    private finishIn(attachment: EditorAttachment, frontmatter: string | null): void {
        const doc = attachment.view.state.doc.toString();
        attachment.finish(frontmatter === null ? null : this.frontmatterEdit(doc, frontmatter), this.target, this.restore);
        this.deps.editors.requestSave(this.path);
    }

    /** The edit that puts the daemon's frontmatter into `doc`, keeping what the person changed in it meanwhile. */
    private frontmatterEdit(doc: string, final: string): TextEdit | null {
        const bounds = findFrontmatter(doc);
        const current = bounds ? doc.slice(0, bounds.end) : "";
        const merged = mergeFrontmatter(this.submittedFrontmatter, current, final);
        return merged === current ? null : { from: 0, to: current.length, insert: merged };
    }

    /** The editor to write into, after following the note to wherever it is shown now. */
    private locate(): EditorAttachment | null {
        const { editors } = this.deps;
        if (this.attachment) {
            if (this.attachment.current && editors.shows(this.attachment.view, this.path)) return this.attachment;
            this.detach();
        }
        const view = editors.viewFor(this.path);
        return view ? this.attach(view, view.state) : null;
    }

    /**
     * Stops writing into the editor: the note's text is now what Obsidian saved when the tab moved
     * on. Until an editor shows the note again, every update of any editor is checked for it, so
     * the turn re-attaches on the first update after the note loads, before the person's first
     * keystroke there is lost to the file writes.
     */
    private detach(): void {
        if (!this.attachment) return;
        this.model = this.attachment.lastText;
        this.attachment.dispose();
        this.attachment = null;
        this.stopWatching ??= this.deps.registry.onAnyUpdate((update) => {
            if (this.attachment || !this.deps.editors.shows(update.view, this.path)) return;
            this.attach(update.view, update.startState)?.onUpdate(update);
            this.schedule();
        });
    }

    /** Attaches to `view` if `state` holds the note as the turn knows it (see ReplyRegion.reconcile). */
    private attach(view: EditorView, state: EditorState): EditorAttachment | null {
        if (this.model !== null && !this.region.reconcile(this.model, state.doc.toString(), true)) return null;
        this.model = null;
        this.stopWatching?.();
        this.stopWatching = null;
        this.attachment = new EditorAttachment(view, this.region, this.deps.registry, state);
        return this.attachment;
    }

    /** Queues a write of the note's file; a write that has not started yet takes later flushes along. */
    private writeFile(final: boolean, frontmatter: string | null): void {
        if (!final && this.writeScheduled) return;
        this.writeScheduled = true;
        const wait = final ? 0 : Math.max(0, this.lastFileWrite + FILE_WRITE_INTERVAL_MS - this.deps.now());
        this.fileWrites = this.fileWrites
            .then(async () => {
                if (wait > 0) await this.deps.delay(wait);
                this.writeScheduled = false;
                this.lastFileWrite = this.deps.now();
                const desired = final ? this.target : visiblePart(this.target);
                await this.deps.files.process(this.path, (data) => this.writeInto(data, desired, final, frontmatter));
            })
            .catch((err: unknown) => {
                this.writeError ??= err instanceof Error ? err : new Error("The reply could not be written to the note.");
            });
    }

    /** The note's new text: `data` (what is on disk) with the reply, and the frontmatter when given. */
    private writeInto(data: string, desired: string, final: boolean, frontmatter: string | null): string {
        // An editor took the note back since this write was queued: it is the writer now.
        if (this.attachment) {
            if (final) this.finalSkipped = true;
            return data;
        }
        this.region.reconcile(this.model ?? data, data);
        let text = data;
        const fmEdit = frontmatter === null ? null : this.frontmatterEdit(data, frontmatter);
        if (fmEdit) {
            text = applyEdits(text, [fmEdit]);
            // The frontmatter ends before the reply starts: the reply only moves.
            this.region.start += fmEdit.insert.length - (fmEdit.to - fmEdit.from);
        }
        text = applyEdits(text, this.region.render(desired));
        this.model = text;
        return text;
    }

    /** Forgets the turn without touching the note (the daemon refused it before it started). */
    discard(): void {
        this.dispose();
    }

    private dispose(): void {
        this.cancelFrame?.();
        this.cancelFrame = null;
        this.stopWatching?.();
        this.stopWatching = null;
        this.attachment?.dispose();
        this.attachment = null;
    }
}
