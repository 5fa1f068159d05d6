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
import { type FSWatcher, watch } from "chokidar";
import type { Stats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { LodgeError } from "../../shared/errors";
import { readFrontmatter } from "../../shared/note/frontmatter";
import type { Logger } from "../log";
import type { CheckedTurn, TurnRun } from "../services/turn-run";
import type { TurnService } from "../services/turn-service";
import { ChatPaths, FolderWaiter, isKind } from "./chat-paths";
import { changedSince, type SeenMarker } from "./missed-changes";
import type { RecordingVault } from "./own-writes";

/** The audit log's actor for turns the watcher starts. */
export const WATCH_ACTOR = "watcher";
/** Loop ceiling: a person writing outside Obsidian does not send ten questions to one note in ten minutes. */
export const LOOP_TURNS = 10;
export const LOOP_WINDOW_MS = 10 * 60_000;
/**
 * After a turn from elsewhere (the plugin, the API) ends, its note is not looked at for this long (or
 * the idle time, if longer): an editor that holds the reply saves it a moment later (Obsidian about 2 s
 * after the last change), and what it saved before that can be a reply with no text yet.
 */
export const AFTER_TURN_MS = 3000;
const QUIET_CODES = new Set(["in_progress", "not_found"]);

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
}

/** Notes changed while the daemon was down are looked at this long after the start at the earliest: the plugin reconnects first. */
export const CATCH_UP_MS = 5000;

export class NoteWatcher {
    private fsw: FSWatcher | null = null;
    private readonly paths: ChatPaths;
    private readonly waiter: FolderWaiter;
    /** Chat notes outside the folders, watched one by one (absolute paths). */
    private readonly elsewhere = new Set<string>();
    private readonly timers = new Map<string, NodeJS.Timeout>();
    /** Notes not to look at before this time: Infinity while a turn from elsewhere runs, then AFTER_TURN_MS. */
    private readonly holds = new Map<string, number>();
    private readonly reactions = new Map<string, Promise<void>>();
    private readonly lastRefusal = new Map<string, string>();
    private lastFailure = "";
    private readonly recentTurns = new Map<string, number[]>();
    private readonly paused = new Set<string>();
    /** Notes whose last change came while a connected Obsidian had them open: what is on disk is the editor's text. */
    private readonly editorOnly = new Map<string, boolean>();
    /** Notes changed while no daemon ran, waiting for their first look. */
    private readonly missed = new Set<string>();
    /** When each note waiting for its look first changed (SeenMarker never passes it). */
    private readonly changedAt = new Map<string, number>();
    /** The note whose turn the watcher is starting right now (its own turns are not "from elsewhere"). */
    private starting: string | null = null;
    private closed = false;

    private constructor(private readonly o: WatcherOptions) {
        this.paths = new ChatPaths(o.vault.root, o.folders);
        this.waiter = new FolderWaiter(o.vault.root, (dir) => void this.appeared(dir), (err) => this.failed(err));
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
        const watched = this.fsw?.getWatched() ?? {};
        let inFolders = 0;
        for (const [dir, names] of Object.entries(watched)) {
            for (const name of names) if (this.paths.isFolderNote(join(dir, name))) inFolders++;
        }
        const where = this.paths.folders.map((f) => (f === "" ? "the whole vault" : `${f}/`)).join(", ") || "no folder";
        return `watching chat notes changed on disk: ${where} (${inFolders} ${inFolders === 1 ? "note" : "notes"}) and ${this.elsewhere.size} elsewhere; answered after ${this.o.idleMs} ms idle`;
    }

    async close(): Promise<void> {
        this.closed = true;
        this.waiter.close();
        for (const timer of this.timers.values()) clearTimeout(timer);
        this.timers.clear();
        await this.o.seen?.stop();
        await this.fsw?.close();
        await Promise.all(this.reactions.values());
    }

    private async begin(): Promise<void> {
        const present: string[] = [];
        const missing: string[] = [];
        for (const dir of this.paths.folderDirs()) ((await isKind(dir, "dir")) ? present : missing).push(dir);
        for (const note of await this.notesElsewhere()) this.elsewhere.add(note);
        this.fsw = watch([...present, ...this.elsewhere], {
            ignoreInitial: true,
            followSymlinks: false,
            ignored: (path: string, stats?: Stats) => this.paths.ignored(path, stats),
        });
        this.fsw.on("add", (p: string) => this.changed(p));
        this.fsw.on("change", (p: string) => this.changed(p));
        this.fsw.on("unlink", (p: string) => this.gone(p));
        this.fsw.on("error", (err: unknown) => this.failed(err));
        // chokidar never says ready for an empty list, and says it too early when a path is missing.
        if (present.length + this.elsewhere.size > 0) await new Promise<void>((resolve) => this.fsw!.once("ready", () => resolve()));
        for (const dir of missing) this.waiter.wait(dir);
        this.o.turns.observe((turn, run) => this.turnStarted(turn, run));
        const since = (await this.o.seen?.lastSeen()) ?? null;
        this.o.seen?.start(() => Math.min(Infinity, ...this.changedAt.values()));
        if (since !== null) void this.catchUp(since);
    }

    /** Notes changed after `since` (the last daemon's last look) count as changed now; not while Obsidian has them open. */
    private async catchUp(since: number): Promise<void> {
        const files: string[] = [...this.elsewhere];
        for (const [dir, names] of Object.entries(this.fsw?.getWatched() ?? {})) {
            for (const name of names) if (this.paths.isFolderNote(join(dir, name))) files.push(join(dir, name));
        }
        for (const absolute of await changedSince(files, since)) {
            if (this.closed || this.timers.has(absolute)) continue;
            this.editorOnly.set(absolute, false);
            this.missed.add(absolute);
            if (!this.changedAt.has(absolute)) this.changedAt.set(absolute, since + 1);
            this.schedule(absolute, Math.max(this.o.idleMs, CATCH_UP_MS));
        }
    }

    /** A chat folder created after the start: watched from now on, and the notes already in it count as changed. */
    private async appeared(dir: string): Promise<void> {
        this.fsw?.add(dir);
        const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
        for (const entry of entries) this.changed(join(dir, entry));
    }

    /** Notes with conversations, outside the chat folders, that exist now. */
    private async notesElsewhere(): Promise<string[]> {
        let paths: string[];
        try {
            paths = await this.o.knownNotes();
        } catch (err) {
            this.o.log.warn(`watch: could not list the notes that have conversations: ${String(err)}`);
            return [];
        }
        return this.paths.existingNotesElsewhere(paths);
    }

    private tracks(absolute: string): boolean {
        return this.paths.isFolderNote(absolute) || this.elsewhere.has(absolute);
    }

    private changed(absolute: string): void {
        if (this.closed || !this.tracks(absolute)) return;
        const rel = this.paths.rel(absolute);
        const open = rel !== null && this.o.openInEditor?.(rel) === true;
        this.editorOnly.set(absolute, open);
        if (!this.changedAt.has(absolute)) this.changedAt.set(absolute, Date.now());
        this.schedule(absolute, this.o.idleMs);
    }

    /** Looks at the note after `delay`, or when its hold ends; a running turn's end schedules the look itself. */
    private schedule(absolute: string, delay: number): void {
        clearTimeout(this.timers.get(absolute));
        this.timers.delete(absolute);
        const hold = this.holds.get(absolute);
        if (hold === Infinity) return;
        const wait = hold === undefined ? delay : Math.max(delay, hold - Date.now());
        this.timers.set(absolute, setTimeout(() => this.idle(absolute), wait));
    }

    private gone(absolute: string): void {
        clearTimeout(this.timers.get(absolute));
        this.timers.delete(absolute);
        this.holds.delete(absolute);
        this.o.vault.own.forget(absolute);
        this.lastRefusal.delete(absolute);
        this.recentTurns.delete(absolute);
        this.paused.delete(absolute);
        this.editorOnly.delete(absolute);
        this.missed.delete(absolute);
        this.changedAt.delete(absolute);
        if (this.elsewhere.delete(absolute)) this.fsw?.unwatch(absolute);
    }

    private failed(err: unknown): void {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        const message = code === "ENOSPC"
            ? "out of inotify watches: raise fs.inotify.max_user_watches (sysctl) or watch fewer notes (chats.folders)"
            : err instanceof Error ? err.message : String(err);
        if (this.lastFailure === message) return;
        this.lastFailure = message;
        this.o.log.warn(`watch: ${message}`);
    }

    /** Reactions to one note run one after another; each is short (a read and the turn's checks). */
    private idle(absolute: string): void {
        this.timers.delete(absolute);
        this.changedAt.delete(absolute);
        if ((this.holds.get(absolute) ?? 0) <= Date.now()) this.holds.delete(absolute);
        const previous = this.reactions.get(absolute) ?? Promise.resolve();
        const next = previous.then(() => this.react(absolute)).catch((err: unknown) => this.o.log.error(`watch: ${String(err)}`));
        this.reactions.set(absolute, next);
        void next.finally(() => {
            if (this.reactions.get(absolute) === next) this.reactions.delete(absolute);
        });
    }

    private async react(absolute: string): Promise<void> {
        const rel = this.paths.rel(absolute);
        let editorOnly = this.editorOnly.get(absolute) === true;
        this.editorOnly.delete(absolute);
        // A note changed while the daemon was down and open in Obsidian now: the person there sends it.
        if (this.missed.delete(absolute) && rel !== null && this.o.openInEditor?.(rel) === true) editorOnly = true;
        // Obsidian saving what the person types, or merging a sync tool's change into the open note, which the plugin then sends.
        if (this.closed || rel === null || editorOnly) return;
        let text: string | null;
        try {
            const info = await stat(absolute).catch(() => null);
            if (!info) return;
            if (info.size > this.o.maxBytes) throw new LodgeError("payload_too_large", `the note is ${(info.size / 1048576).toFixed(1)} MB, over http.max_body_mb`);
            text = await this.o.vault.read(await this.o.vault.resolve(rel));
        } catch (err) {
            return this.refused(absolute, err);
        }
        if (text === null || this.o.vault.own.take(absolute, text)) return;
        if (!this.paths.inFolders(rel)) {
            // Outside the folders a note is a chat note only while it says which agent it talks to.
            let agent: unknown;
            try {
                agent = readFrontmatter(text)?.data.agent;
            } catch (err) {
                return this.refused(absolute, err);
            }
            if (typeof agent !== "string" || agent.trim() === "") return;
        }
        if (this.overCeiling(absolute, rel)) return;
        let checked;
        try {
            checked = await this.o.turns.check({ filename: rel }, WATCH_ACTOR);
        } catch (err) {
            return this.refused(absolute, err);
        }
        this.lastRefusal.delete(absolute);
        if (checked.kind === "nothing_to_do") return;
        this.recentTurns.set(absolute, [...(this.recentTurns.get(absolute) ?? []), Date.now()]);
        this.o.log.info(`watch: ${rel} changed on disk; ${checked.agent.name} is answering it`);
        this.starting = checked.note.absolute;
        try {
            this.o.turns.start({ ...checked, writer: "daemon", frontend: "watch" }, (event) => {
                if (event.event === "error") this.o.log.warn(`watch: ${rel}: the turn failed: ${event.data.message}`);
            });
        } finally {
            this.starting = null;
        }
    }

    private overCeiling(absolute: string, rel: string): boolean {
        if (this.paused.has(absolute)) return true;
        const now = Date.now();
        const recent = (this.recentTurns.get(absolute) ?? []).filter((t) => now - t < LOOP_WINDOW_MS);
        this.recentTurns.set(absolute, recent);
        if (recent.length < LOOP_TURNS) return false;
        this.paused.add(absolute);
        this.o.log.warn(
            `watch: ${rel}: ${LOOP_TURNS} turns in ${LOOP_WINDOW_MS / 60_000} minutes from changes on disk look like a loop; ` +
                "its changes are no longer answered until it is sent from Obsidian or the daemon restarts",
        );
        return true;
    }

    private refused(absolute: string, err: unknown): void {
        if (err instanceof LodgeError && QUIET_CODES.has(err.code)) return;
        const message = err instanceof Error ? err.message : String(err);
        if (this.lastRefusal.get(absolute) === message) return;
        this.lastRefusal.set(absolute, message);
        this.o.log.warn(`watch: ${this.paths.rel(absolute) ?? absolute} is not answered: ${message}`);
    }

    /**
     * Every turn from elsewhere: its note becomes a watched chat note, its text counts as answered, and
     * the note is left alone until AFTER_TURN_MS after the turn, then looked at once.
     */
    private turnStarted(turn: CheckedTurn, run: TurnRun): void {
        const absolute = turn.note.absolute;
        if (this.closed || this.starting === absolute) return;
        this.o.vault.own.remember(absolute, turn.text);
        // A turn from elsewhere means a person is there: the loop ceiling starts over.
        this.recentTurns.delete(absolute);
        this.paused.delete(absolute);
        this.holds.set(absolute, Infinity);
        this.schedule(absolute, 0);
        const ended = (): void => {
            if (this.closed) return;
            const after = Math.max(AFTER_TURN_MS, this.o.idleMs);
            this.holds.set(absolute, Date.now() + after);
            this.schedule(absolute, after);
        };
        void run.finished.then(ended, ended);
        const rel = this.paths.rel(absolute);
        if (rel === null || this.paths.inFolders(rel) || this.elsewhere.has(absolute)) return;
        this.elsewhere.add(absolute);
        this.fsw?.add(absolute);
    }
}
