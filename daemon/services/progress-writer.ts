/**
 * Progress on disk (docs/daemon.md, `chats.progress_ms`): while the daemon is the one that will write a
 * turn's note, the partial reply goes to disk at most every `everyMs`, so a note open elsewhere (a
 * phone, another editor) shows the answer growing. Each write is atomic (Vault.write) and placed like
 * the final write: into what is on disk then, so what the person added meanwhile is kept.
 *
 * The partial reply this writer last put on disk is remembered as text: the next write (and the final
 * one) replaces exactly that text where it still is, so replies never stack and text typed below a
 * partial reply stays below it. When that text is gone (someone rewrote the note: a sync tool bringing
 * an older copy, an editor that saved its own partial reply), placement falls back to placeReply,
 * which recognises a partial reply of this turn at the end of the note.
 */
import { setFrontmatterKeys, type FrontmatterUpdates } from "../../shared/note/frontmatter-write";
import type { Logger } from "../log";
import type { NotePath, Vault } from "../vault/vault";
import { placeReply } from "./reply-placement";

/** How much of the text before a partial reply identifies its place. */
const CONTEXT_CHARS = 200;

export class ProgressWriter {
    /** The partial reply as last written to disk, or null when nothing was. */
    private written: string | null = null;
    /** The end of the text that came before it then: a match elsewhere (an earlier assistant turn) is not it. */
    private writtenAfter = "";
    /** The reply so far, rendered when a write is due. */
    private latest: (() => string) | null = null;
    private timer: NodeJS.Timeout | undefined;
    private lastWrite = 0;
    private writing: Promise<void> = Promise.resolve();
    private updates: FrontmatterUpdates | null = null;
    private stopped = false;

    constructor(
        private readonly vault: Vault,
        private readonly note: NotePath,
        /** The text the turn started on (placeReply's `submitted`). */
        private readonly submitted: string,
        private readonly everyMs: number,
        private readonly log: Logger,
    ) {}

    /**
     * From now on progress may be written (the conversation, hence the frontmatter keys, is known).
     * `after`: the request's content going to disk; a progress write that read the note before it
     * landed would put the old text back and lose the question (found by the kill -9 torture).
     */
    begin(updates: FrontmatterUpdates, after: Promise<unknown> = Promise.resolve()): void {
        this.updates = updates;
        this.lastWrite = Date.now();
        this.writing = after.then(
            () => undefined,
            () => undefined,
        );
    }

    /** Whether a partial reply of this turn may be on disk (written here, or saved by an editor). */
    get wrote(): boolean {
        return this.written !== null;
    }

    /** The reply so far; written when `everyMs` has passed since the last write. `paused` skips it (an editor holds the note). */
    update(reply: () => string, paused: boolean): void {
        if (this.everyMs <= 0 || this.stopped || this.updates === null) return;
        this.latest = reply;
        if (paused) {
            clearTimeout(this.timer);
            this.timer = undefined;
            return;
        }
        if (this.timer) return;
        const wait = Math.max(0, this.lastWrite + this.everyMs - Date.now());
        this.timer = setTimeout(() => {
            this.timer = undefined;
            this.writing = this.writing.then(() => this.write());
        }, wait);
    }

    /** No more progress writes; resolves once the one under way (if any) has landed. */
    async stop(): Promise<void> {
        this.stopped = true;
        clearTimeout(this.timer);
        this.timer = undefined;
        await this.writing;
    }

    /** Where `reply` goes in `disk`: in place of the partial reply written last, else by placeReply's rules. */
    place(disk: string, reply: string, updates: FrontmatterUpdates): string {
        const at = this.written === null ? -1 : disk.lastIndexOf(this.written);
        if (at < 0 || !disk.slice(0, at).endsWith(this.writtenAfter)) return placeReply(disk, reply, updates, this.submitted);
        const before = disk.slice(0, at);
        let head: string;
        try {
            head = setFrontmatterKeys(before, updates);
        } catch {
            head = before;
        }
        return head + reply + disk.slice(at + this.written!.length);
    }

    private async write(): Promise<void> {
        const reply = this.latest?.() ?? null;
        if (this.stopped || reply === null || reply === this.written || this.updates === null) return;
        this.lastWrite = Date.now();
        try {
            const disk = await this.vault.read(this.note).catch(() => null);
            // A note deleted during the turn stays deleted.
            if (disk === null || this.stopped) return;
            const next = this.place(disk, reply, this.updates);
            await this.vault.write(this.note, next);
            const at = next.lastIndexOf(reply);
            this.writtenAfter = next.slice(Math.max(0, at - CONTEXT_CHARS), at);
            this.written = reply;
        } catch (err) {
            this.log.warn(
                `${this.note.relative}: the partial reply could not be written: ${err instanceof Error ? err.message : String(err)}`,
            );
        }
        this.lastWrite = Date.now();
    }
}
