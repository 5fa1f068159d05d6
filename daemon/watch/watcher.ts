/**
 * `chats.watch` (docs/config.md): the daemon answers chat notes changed outside Obsidian. A chat note that has
 * been left alone for `watch_idle_ms` after a change, and whose last user turn has text, gets a turn
 * exactly as `POST /v1/chat` would run it (writer `daemon`, actor `watcher` in the audit log).
 *
 * What is watched (chokidar, one inotify watch per file and folder): the chat folders, recursively,
 * `.md` files only, hidden folders and files (and so Lodge's own `.<name>.<random>.tmp`) skipped; and
 * chat notes elsewhere, one file at a time: the notes the database has conversations for, read at
 * start, and every note a turn starts on while the daemon runs. The rest of the vault is never read,
 * so starting costs the same with 50 notes outside the chat folders or 50,000.
 *
 * Never a loop, never a second answer: what the daemon wrote itself, and the text a turn started on,
 * are skipped (OwnTexts); while a turn from elsewhere (the plugin, the API) runs, and for AFTER_TURN_MS
 * after it, its note is left alone (an editor holding the reply saves it then); a reply ends with an
 * empty `### User:` heading, which is nothing to do anyway; and a note that gets
 * LOOP_TURNS watcher turns within LOOP_WINDOW_MS is left alone until a turn on it comes from elsewhere
 * (the plugin, the API) or the daemon restarts. Refusals are quiet: nothing to do and `in_progress`
 * say nothing, other errors one log line, not repeated while the note keeps failing the same way.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../log";
import type { CheckedTurn } from "../services/checked-turn";
import type { TurnRun } from "../services/turn-run";
import type { TurnService } from "../services/turn-service";
import { ChatPaths } from "./chat-paths";
import { changedSince, type SeenMarker } from "./missed-changes";
import { NoteFiles } from "./note-files";
import { NoteLook } from "./note-look";
import type { RecordingVault } from "./own-writes";
import { WatchedNotes } from "./watched-notes";

export { LOOP_TURNS, LOOP_WINDOW_MS, WATCH_ACTOR } from "./note-look";

/**
 * After a turn from elsewhere (the plugin, the API) ends, its note is not looked at for this long (or
 * the idle time, if longer): an editor that holds the reply saves it a moment later (Obsidian about 2 s
 * after the last change), and what it saved before that can be a reply with no text yet.
 */
export const AFTER_TURN_MS = 3000;
/** Notes changed while the daemon was down are looked at this long after the start at the earliest: the plugin reconnects first. */
export const CATCH_UP_MS = 5000;

export interface WatcherOptions {
    vault: RecordingVault;
    /** `chats.folders`, relative to the vault. */
    folders: string[];
    idleMs: number;
    turns: TurnService;
    /** Vault-relative paths of the notes that have conversations: the chat notes outside the folders. */
    knownNotes: () => Promise<string[]>;
    /** Notes larger than this are refused, as a request body would be. */
    maxBytes: number;
    log: Logger;
    /** Whether a connected Obsidian has the note open (OpenNotes): its changes are the plugin's to send. */
    openInEditor?: (relative: string) => boolean;
    /** When given, notes changed while no daemon watched are looked at after the start (missed-changes.ts). */
    seen?: SeenMarker;
    /** One debug line per look at a changed note, saying what it found (`--log-level debug`, or LODGE_DEBUG=1). */
    trace?: (line: string) => void;
}

export class NoteWatcher {
    private readonly paths: ChatPaths;
    private readonly files: NoteFiles;
    private readonly notes: WatchedNotes;
    private readonly looks: NoteLook;

    private constructor(private readonly o: WatcherOptions) {
        this.paths = new ChatPaths(o.vault.root, o.folders);
        this.files = new NoteFiles(
            this.paths,
            { changed: (p) => this.changed(p), gone: (p) => this.gone(p), appeared: (dir) => void this.appeared(dir) },
            o.log,
        );
        this.notes = new WatchedNotes(
            (absolute) => this.look(absolute),
            (err) => o.log.error(`watch: ${String(err)}`),
        );
        this.looks = new NoteLook({ ...o, paths: this.paths, notes: this.notes });
        o.vault.own.keepMs = o.idleMs + 60_000;
    }

    /** Starts watching; resolves once chokidar has set up every watch, so a change from then on is seen. */
    static async start(options: WatcherOptions): Promise<NoteWatcher> {
        const watcher = new NoteWatcher(options);
        await watcher.begin();
        return watcher;
    }

    /** One start-up line for the person. */
    describe(): string {
        const inFolders = this.files.folderNotes().length;
        const where = this.paths.folders.map((f) => (f === "" ? "the whole vault" : `${f}/`)).join(", ") || "no folder";
        return `watching chat notes changed on disk: ${where} (${inFolders} ${inFolders === 1 ? "note" : "notes"}) and ${this.notes.elsewhere().length} elsewhere; answered after ${this.o.idleMs} ms idle`;
    }

    async close(): Promise<void> {
        const looks = this.notes.close();
        await this.o.seen?.stop();
        await this.files.close();
        await looks;
    }

    private async begin(): Promise<void> {
        for (const note of await this.notesElsewhere()) this.notes.note(note).elsewhere = true;
        await this.files.start(this.notes.elsewhere());
        this.o.turns.observe((turn, run) => this.turnStarted(turn, run));
        const since = (await this.o.seen?.lastSeen()) ?? null;
        this.o.seen?.start(() => this.notes.earliestChange());
        if (since !== null) void this.catchUp(since);
    }

    private async look(absolute: string): Promise<void> {
        const { found, bytes } = await this.looks.look(absolute);
        this.o.trace?.(`watch: looked at ${this.paths.rel(absolute) ?? absolute}${bytes === null ? "" : ` (${bytes} bytes)`}: ${found}`);
    }

    /** Notes changed after `since` (the last daemon's last look) count as changed now; not while Obsidian has them open. */
    private async catchUp(since: number): Promise<void> {
        for (const absolute of await changedSince([...this.notes.elsewhere(), ...this.files.folderNotes()], since)) {
            if (this.notes.closed || this.notes.get(absolute)?.timer !== undefined) continue;
            this.notes.note(absolute).missed = true;
            this.notes.changed(absolute, false, Math.max(this.o.idleMs, CATCH_UP_MS), since + 1);
        }
    }

    /** A chat folder created after the start: the notes already in it count as changed. */
    private async appeared(dir: string): Promise<void> {
        const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
        for (const entry of entries) this.changed(join(dir, entry));
    }

    /** Notes with conversations, outside the chat folders, that exist now. */
    private async notesElsewhere(): Promise<string[]> {
        try {
            return await this.paths.existingNotesElsewhere(await this.o.knownNotes());
        } catch (err) {
            this.o.log.warn(`watch: could not list the notes that have conversations: ${String(err)}`);
            return [];
        }
    }

    private changed(absolute: string): void {
        if (this.notes.closed) return;
        if (!this.paths.isFolderNote(absolute) && this.notes.get(absolute)?.elsewhere !== true) return;
        const rel = this.paths.rel(absolute);
        this.notes.changed(absolute, rel !== null && this.o.openInEditor?.(rel) === true, this.o.idleMs);
    }

    private gone(absolute: string): void {
        this.o.vault.own.forget(absolute);
        if (this.notes.gone(absolute)) this.files.unwatch(absolute);
    }

    /**
     * Every turn from elsewhere: its note becomes a watched chat note, its text counts as answered, and
     * the note is left alone until AFTER_TURN_MS after the turn, then looked at once.
     */
    private turnStarted(turn: CheckedTurn, run: TurnRun): void {
        const absolute = turn.note.absolute;
        if (this.notes.closed || this.looks.starting === absolute) return;
        this.o.vault.own.remember(absolute, turn.text);
        const note = this.notes.heldByTurn(absolute, run.finished, Math.max(AFTER_TURN_MS, this.o.idleMs));
        const rel = this.paths.rel(absolute);
        if (rel === null || this.paths.inFolders(rel) || note.elsewhere) return;
        note.elsewhere = true;
        this.files.add(absolute);
    }
}
