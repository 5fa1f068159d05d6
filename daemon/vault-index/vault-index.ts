/**
 * The vault's notes, searchable (docs/context.md `search_notes`, `list_notes`): an FTS5 index in the database
 * (store/vault-notes.ts) of every note an agent may see (vault/visibility.ts), nothing else.
 *
 * Built in the background after the daemon is ready: the vault is walked, each note's size and
 * modification time compared with what the index holds, and only new or changed notes read; notes
 * gone from disk (or now hidden or excluded) leave. While the daemon runs, a watch per folder
 * (dir-watch.ts) reports changed names; they are re-checked in small batches, and at once before any
 * search or listing, so what the tools answer is never staler than the file system's own events.
 * All the work runs one step at a time on one chain: the build, then each batch of changes.
 */
import { plural } from "../words";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readFrontmatter } from "../../shared/note/frontmatter";
import type { Logger } from "../log";
import type { SearchWord } from "../store/fts-match";
import type { IndexedNote, ListedNote, NoteHit, NoteStamp, VaultNoteStore } from "../store/vault-notes";
import { decodeNote } from "../vault/vault";
import { noteTags, type Visibility } from "../vault/visibility";
import { DirWatcher } from "./dir-watch";
import { isNoteName, scanFolder, type ScannedNote, stampOf } from "./scan";

export interface VaultIndexOptions {
    root: string;
    store: VaultNoteStore;
    visibility: Visibility;
    /** Notes larger than this are left out of the index (never read into memory whole to index them). */
    maxBytes: number;
    log: Logger;
    /** How long changed names gather before they are re-checked (a search re-checks at once). */
    settleMs?: number;
}

/** Notes read and written per transaction: bounds memory and how long a turn's write waits behind the index. */
const READ_BATCH = 128;
const READ_PARALLEL = 16;

const sameStamp = (a: NoteStamp, b: NoteStamp): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs;

export class VaultIndex {
    private readonly watcher: DirWatcher;
    private readonly pending = new Set<string>();
    private chain: Promise<void> = Promise.resolve();
    private timer: NodeJS.Timeout | null = null;
    private building = false;
    private closed = false;
    /** What the last build did, for the log and the bench. */
    lastBuild: { checked: number; read: number; removed: number; ms: number } | null = null;

    constructor(private readonly o: VaultIndexOptions) {
        this.watcher = new DirWatcher(
            o.root,
            (rel) => this.touched(rel),
            (m) => o.log.warn(m),
        );
    }

    /** Starts the build in the background; the returned promise (for tests and the bench) settles when it is done. */
    start(): Promise<void> {
        this.building = true;
        return this.enqueue(() => this.build());
    }

    /** True while the first walk after the start has not finished. */
    get isBuilding(): boolean {
        return this.building;
    }

    /**
     * Brings the index up to date with every change heard so far, waiting at most `waitMs` (the build
     * after a start can take longer on a large vault). False when it was not done in time.
     */
    async fresh(waitMs = 2000): Promise<boolean> {
        if (this.timer) {
            clearTimeout(this.timer);
            this.timer = null;
            void this.enqueue(() => this.refresh());
        }
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
        const done = await Promise.race([this.chain.then(() => true), late]);
        clearTimeout(timer);
        return done;
    }

    /** The best notes with every word, best first; `complete` is false while the first build is still running. */
    async search(words: readonly SearchWord[], limit: number): Promise<{ hits: NoteHit[]; complete: boolean }> {
        const complete = await this.fresh();
        return { hits: await this.o.store.search(words, limit), complete: complete && !this.building };
    }

    /** The notes under a folder ("" = all), in path order, with how many there are. */
    async list(folder: string, limit: number): Promise<{ notes: ListedNote[]; total: number; complete: boolean }> {
        const complete = await this.fresh();
        return { ...(await this.o.store.list(folder, limit)), complete: complete && !this.building };
    }

    async close(): Promise<void> {
        this.closed = true;
        if (this.timer) clearTimeout(this.timer);
        this.watcher.close();
        await this.chain;
    }

    private enqueue(step: () => Promise<void>): Promise<void> {
        const next = this.chain
            .then(step)
            .catch((err: unknown) => this.o.log.warn(`vault index: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
        this.chain = next;
        return next;
    }

    private async build(): Promise<void> {
        const t0 = performance.now();
        const known = new Map((await this.o.store.stamps()).map((s) => [s.path, s]));
        const stats = { checked: 0, read: 0, removed: 0, ms: 0 };
        const seen = new Set<string>();
        let toRead: ScannedNote[] = [];
        let remove: string[] = [];
        const flush = async (): Promise<void> => {
            stats.read += toRead.length;
            await this.index(toRead, remove);
            toRead = [];
            remove = [];
        };
        await scanFolder(this.o.root, "", this.o.visibility, {
            enter: (rel) => this.watcher.add(rel),
            stopped: () => this.closed,
            notes: async (found) => {
                for (const note of found) {
                    stats.checked++;
                    seen.add(note.path);
                    const old = known.get(note.path);
                    if (!old || !sameStamp(old, note)) toRead.push(note);
                    // Unchanged, but context.exclude may have gained one of its tags since it was read.
                    else if (this.o.visibility.tagsExcluded(old.tags)) remove.push(note.path);
                }
                if (toRead.length >= READ_BATCH) await flush();
            },
        });
        if (this.closed) return;
        for (const path of known.keys()) if (!seen.has(path)) remove.push(path);
        stats.removed = remove.length;
        await flush();
        stats.ms = Math.round(performance.now() - t0);
        this.lastBuild = stats;
        this.building = false;
        this.o.log.info(
            `vault index: ${plural(stats.checked, "note")} checked, ${stats.read} read, ${stats.removed} removed in ${stats.ms} ms; ${plural(this.watcher.size, "folder")} watched`,
        );
    }

    /** A name changed on disk: re-checked soon, or before the next search. */
    private touched(rel: string): void {
        if (this.closed || this.o.visibility.pathRule(rel) !== null) return;
        this.pending.add(rel);
        this.timer ??= setTimeout(() => {
            this.timer = null;
            void this.enqueue(() => this.refresh());
        }, this.o.settleMs ?? 300);
    }

    private async refresh(): Promise<void> {
        const paths = [...this.pending];
        this.pending.clear();
        const toRead: ScannedNote[] = [];
        const remove: string[] = [];
        for (const path of paths) {
            const now = await stampOf(join(this.o.root, ...path.split("/")));
            if (!now) {
                remove.push(path);
                this.watcher.drop(path);
                await this.o.store.removeUnder(path);
            } else if (now.kind === "dir") {
                await scanFolder(this.o.root, path, this.o.visibility, {
                    enter: (rel) => this.watcher.add(rel),
                    stopped: () => this.closed,
                    notes: async (found) => {
                        for (const note of found) if (!(await this.unchanged(note))) toRead.push(note);
                    },
                });
            } else if (isNoteName(path) && !(await this.unchanged({ path, ...now }))) {
                toRead.push({ path, size: now.size, mtimeMs: now.mtimeMs });
            }
        }
        for (let i = 0; i < Math.max(toRead.length, 1); i += READ_BATCH)
            await this.index(toRead.slice(i, i + READ_BATCH), i === 0 ? remove : []);
    }

    private async unchanged(note: ScannedNote): Promise<boolean> {
        const old = await this.o.store.stamp(note.path);
        return old !== null && sameStamp(old, note);
    }

    /** Reads these notes and writes them to the index (or removes those that are now excluded or unreadable). */
    private async index(notes: ScannedNote[], remove: string[]): Promise<void> {
        const put: IndexedNote[] = [];
        for (let i = 0; i < notes.length; i += READ_PARALLEL) {
            const read = await Promise.all(notes.slice(i, i + READ_PARALLEL).map((n) => this.read(n)));
            read.forEach((note, j) => (note ? put.push(note) : remove.push(notes[i + j]!.path)));
        }
        await this.o.store.apply(put, remove);
    }

    /** A note as the index keeps it; null when it is excluded by a tag, too large, unreadable, or not text. */
    private async read(note: ScannedNote): Promise<IndexedNote | null> {
        const name = note.path.replace(/^.*\//, "").replace(/\.md$/i, "");
        if (note.size > this.o.maxBytes) return null;
        let text: string;
        try {
            text = decodeNote(await readFile(join(this.o.root, ...note.path.split("/"))), note.path);
        } catch {
            return null;
        }
        const tags = noteTags(text);
        if (this.o.visibility.tagsExcluded(tags)) return null;
        let title = name;
        try {
            const value = readFrontmatter(text)?.data.title;
            if (typeof value === "string" || typeof value === "number") title = String(value).trim() || name;
        } catch {
            // Frontmatter that cannot be read leaves the file name as the title; the text is indexed all the same.
        }
        return { ...note, title, text, tags };
    }
}
