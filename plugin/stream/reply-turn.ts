/**
 * One streaming turn, bound to its file rather than to an editor (obsidian-platform.md §7 pitfall 1).
 *
 * Deltas update `target`, the reply as the daemon has it. Once per animation frame the turn brings the
 * note up to date in one edit: into the editor that shows the note when there is one, otherwise into
 * the file through `Vault.process` (an atomic read-modify-write), re-attaching to an editor when the
 * note is opened again. Grouping per frame is what keeps a 2,000-delta reply cheap (SPEC §10).
 */
import { applyDelta } from "../../shared/protocol/delta";
import type { DoneEvent, StreamEvent } from "../../shared/protocol/events";
import { findFrontmatter } from "../../shared/note/frontmatter-bounds";
import { applyEdits, type TextEdit } from "../chat-note";
import { EditorAttachment, type EditorRegistry } from "./editor-attachment";
import { mergeFrontmatter } from "./frontmatter-merge";
import { visiblePart } from "./hold-back";
import { ReplyRegion } from "./reply-region";
import type { EditorView } from "@codemirror/view";

/** Finds the editors that show a note. */
export interface EditorPort {
    /** A CodeMirror view showing the note at `path`, or null when no open tab shows it. */
    viewFor(path: string): EditorView | null;
    /** Whether `view` (still) belongs to a tab showing `path`. */
    shows(view: EditorView, path: string): boolean;
    /** Asks Obsidian to save the note's editor soon (its own debounced save, not the save command). */
    requestSave(path: string): void;
}

/** Writes a note that no editor shows. */
export interface FilePort {
    /** Atomic read-modify-write of the note (`Vault.process`). */
    process(path: string, fn: (data: string) => string): Promise<void>;
}

/** Runs a callback before the next paint; returns a cancel function. */
export type FrameScheduler = (callback: () => void) => () => void;

export interface TurnDeps {
    editors: EditorPort;
    files: FilePort;
    registry: EditorRegistry;
    frame: FrameScheduler;
    /** Milliseconds on a monotonic clock, and a pause: injected so tests control time. */
    now: () => number;
    delay: (ms: number) => Promise<void>;
}

/** How a turn ended, for the manager's notices and status. */
export type TurnEnd =
    | { kind: "done"; event: DoneEvent }
    | { kind: "error"; code: string; message: string }
    | { kind: "dropped" };

/** How often a note that no editor shows is written while the reply streams. */
const FILE_WRITE_INTERVAL_MS = 250;

export class ReplyTurn {
    agent: string | null = null;
    private target = "";
    private readonly region: ReplyRegion;
    private readonly submittedFrontmatter: string;
    private readonly restore: string;
    private attachment: EditorAttachment | null;
    /** The note's text as the region knows it, while no editor is attached. */
    private model: string | null = null;
    private cancelFrame: (() => void) | null = null;
    /** A delta arrived: until then the note is left exactly as sent (its trailing whitespace too). */
    private received = false;
    private fileWrites: Promise<void> = Promise.resolve();
    /** A file write is queued and has not read the reply yet: later flushes need not queue another. */
    private writeScheduled = false;
    private writesInFlight = 0;
    private lastFileWrite = -Infinity;
    private writeError: Error | null = null;

    /**
     * @param path the note, as the vault names it (updated on rename)
     * @param view the editor the note was sent from
     * @param text the note's text as sent
     */
    constructor(
        private readonly deps: TurnDeps,
        public path: string,
        view: EditorView,
        readonly text: string,
    ) {
        // SPEC §5 anchor: the reply replaces the trailing whitespace. (shared/note/compose.ts has
        // anchorOf, but importing it would bundle its YAML writer into main.js.)
        const anchor = text.trimEnd().length;
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
        this.cancelFrame ??= this.deps.frame(() => {
            this.cancelFrame = null;
            this.flush(false);
        });
    }

    private flush(final: boolean): void {
        const desired = final ? this.target : visiblePart(this.target);
        const attachment = this.locate();
        if (attachment) attachment.apply(this.region.render(desired));
        else this.writeFile(final, null);
    }

    private async finish(frontmatter: string | null): Promise<void> {
        this.cancelFrame?.();
        this.cancelFrame = null;
        if (this.target === "" && frontmatter === null) {
            this.dispose();
            return;
        }
        const attachment = this.locate();
        if (attachment) {
            const doc = attachment.view.state.doc.toString();
            attachment.finish(frontmatter === null ? null : this.frontmatterEdit(doc, frontmatter), this.target, this.restore);
            this.deps.editors.requestSave(this.path);
        } else {
            this.writeFile(true, frontmatter);
        }
        await this.fileWrites;
        this.dispose();
        if (this.writeError !== null) throw this.writeError;
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
            this.model = this.attachment.lastText;
            this.attachment.dispose();
            this.attachment = null;
        }
        const view = editors.viewFor(this.path);
        if (!view || this.writesInFlight > 0) return null;
        this.region.reconcile(this.model ?? view.state.doc.toString(), view.state.doc.toString());
        this.model = null;
        this.attachment = new EditorAttachment(view, this.region, this.deps.registry);
        return this.attachment;
    }

    /** Queues a write of the note's file; a write that has not started yet takes later flushes along. */
    private writeFile(final: boolean, frontmatter: string | null): void {
        if (!final && this.writeScheduled) return;
        this.writeScheduled = true;
        this.writesInFlight++;
        const wait = final ? 0 : Math.max(0, this.lastFileWrite + FILE_WRITE_INTERVAL_MS - this.deps.now());
        this.fileWrites = this.fileWrites
            .then(async () => {
                if (wait > 0) await this.deps.delay(wait);
                this.writeScheduled = false;
                this.lastFileWrite = this.deps.now();
                const desired = final ? this.target : visiblePart(this.target);
                await this.deps.files.process(this.path, (data) => this.writeInto(data, desired, frontmatter));
            })
            .catch((err: unknown) => {
                this.writeError ??= err instanceof Error ? err : new Error("The reply could not be written to the note.");
            })
            .finally(() => {
                this.writesInFlight--;
            });
    }

    /** The note's new text: `data` (what is on disk) with the reply, and the frontmatter when given. */
    private writeInto(data: string, desired: string, frontmatter: string | null): string {
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
        this.attachment?.dispose();
        this.attachment = null;
    }
}
