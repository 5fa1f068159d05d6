/**
 * One look at a changed note (watcher.ts decides when): is it still there, someone else's to send, the
 * daemon's own text, a chat note at all, over the loop ceiling, something to do? If so its turn starts
 * as `POST /v1/chat` would run it. Each look says what it found, and the note's size on disk, for the
 * debug-level trace (`--log-level debug` or LODGE_DEBUG=1) (tests wait on it: it is the watcher's word that it has seen a change).
 */
import { stat } from "node:fs/promises";
import { LodgeError } from "../../shared/errors";
import { isChatNote } from "../../shared/note/chat-note";
import type { Logger } from "../log";
import type { TurnService } from "../services/turn-service";
import type { ChatPaths } from "./chat-paths";
import type { RecordingVault } from "./own-writes";
import type { WatchedNote, WatchedNotes } from "./watched-notes";

/** The audit log's actor for turns the watcher starts. */
export const WATCH_ACTOR = "watcher";
/** Loop ceiling: a person writing outside Obsidian does not send ten questions to one note in ten minutes. */
export const LOOP_TURNS = 10;
export const LOOP_WINDOW_MS = 10 * 60_000;
const QUIET_CODES = new Set(["in_progress", "not_found"]);

export interface LookOptions {
    vault: RecordingVault;
    paths: ChatPaths;
    notes: WatchedNotes;
    turns: TurnService;
    maxBytes: number;
    log: Logger;
    openInEditor?: (relative: string) => boolean;
}

/** What one look found, and the note's size on disk when it was looked at (null: not read). */
export interface Finding {
    found: string;
    bytes: number | null;
}

export class NoteLook {
    /** The note whose turn the watcher is starting right now (its own turns are not "from elsewhere"). */
    starting: string | null = null;

    constructor(private readonly o: LookOptions) {}

    /** Looks at the note and acts; says what it found. */
    async look(absolute: string): Promise<Finding> {
        const note = this.o.notes.get(absolute);
        const rel = this.o.paths.rel(absolute);
        if (!note || rel === null || this.o.notes.closed) return { found: "gone", bytes: null };
        // What the change said is taken now: a change during this look schedules a look of its own.
        let editorOnly = note.editorOnly;
        const missed = note.missed;
        note.editorOnly = note.missed = false;
        const info = await stat(absolute).catch(() => null);
        if (!info) return { found: "gone", bytes: null };
        // A note changed while the daemon was down and open in Obsidian now: the person there sends it.
        if (missed && this.o.openInEditor?.(rel) === true) editorOnly = true;
        // Obsidian saving what the person types, or merging a sync tool's change into the open note, which the plugin then sends.
        const found = editorOnly ? "open in Obsidian: the plugin sends it" : await this.answer(note, rel, absolute, info.size);
        return { found, bytes: info.size };
    }

    /** Reads the note and, when it is a chat note with something to do, starts its turn. */
    private async answer(note: WatchedNote, rel: string, absolute: string, size: number): Promise<string> {
        let text: string | null;
        try {
            if (size > this.o.maxBytes)
                throw new LodgeError("payload_too_large", `the note is ${(size / 1048576).toFixed(1)} MB, over http.max_body_mb`);
            text = await this.o.vault.read(await this.o.vault.resolve(rel));
        } catch (err) {
            return this.refused(note, rel, err);
        }
        if (text === null) return "gone";
        if (this.o.vault.own.take(absolute, text)) return "the daemon's own text, or one a turn started on";
        // Outside the folders a note is a chat note only while its frontmatter has `agent:`.
        if (!isChatNote(rel, text, this.o.paths.folders)) return "not a chat note";
        if (this.overCeiling(note, rel)) return "paused: over the loop ceiling";
        let checked;
        try {
            checked = await this.o.turns.check({ filename: rel }, WATCH_ACTOR);
        } catch (err) {
            return this.refused(note, rel, err);
        }
        note.lastRefusal = undefined;
        if (checked.kind === "nothing_to_do") return `nothing to do (${checked.done.data.reason ?? "no question"})`;
        note.recentTurns.push(Date.now());
        this.o.log.info(`watch: ${rel} changed on disk; ${checked.agent.name} is answering it`);
        this.starting = checked.note.absolute;
        try {
            this.o.turns.start({ ...checked, writer: "daemon", frontend: "watch" }, (event) => {
                if (event.event === "error") this.o.log.warn(`watch: ${rel}: the turn failed: ${event.data.message}`);
            });
        } finally {
            this.starting = null;
        }
        return "answering";
    }

    private overCeiling(note: WatchedNote, rel: string): boolean {
        if (note.paused) return true;
        const now = Date.now();
        note.recentTurns = note.recentTurns.filter((t) => now - t < LOOP_WINDOW_MS);
        if (note.recentTurns.length < LOOP_TURNS) return false;
        note.paused = true;
        this.o.log.warn(
            `watch: ${rel}: ${LOOP_TURNS} turns in ${LOOP_WINDOW_MS / 60_000} minutes from changes on disk look like a loop; ` +
                "its changes are no longer answered until it is sent from Obsidian or the daemon restarts",
        );
        return true;
    }

    private refused(note: WatchedNote, rel: string, err: unknown): string {
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof LodgeError && QUIET_CODES.has(err.code)) return `refused quietly: ${message}`;
        if (note.lastRefusal !== message) this.o.log.warn(`watch: ${rel} is not answered: ${message}`);
        note.lastRefusal = message;
        return `refused: ${message}`;
    }
}
