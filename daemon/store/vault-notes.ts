/**
 * The vault index's rows (migration 005-vault-index): one per note an agent may see, its text kept
 * in step with vault_search by triggers. Full text with §8's word syntax (fts-match), ranked by bm25
 * with the title weighted, snippets from FTS5.
 */
import type { Db, Param } from "./db";
import { matchAll, type SearchWord } from "./fts-match";

/** What says whether a note changed since it was indexed. */
export interface NoteStamp {
    size: number;
    mtimeMs: number;
}

export interface IndexedStamp extends NoteStamp {
    path: string;
    /** Lower case, without `#`. */
    tags: string[];
}

export interface IndexedNote extends NoteStamp {
    path: string;
    title: string;
    text: string;
    tags: string[];
}

export interface NoteHit {
    path: string;
    title: string;
    snippet: string;
}

export interface ListedNote extends NoteStamp {
    path: string;
}

/** LIKE pattern for the notes under a folder ("" = all). */
const under = (folder: string): string => (folder === "" ? "%" : `${folder.replace(/[\\%_]/g, "\\$&")}/%`);

export class VaultNoteStore {
    constructor(private readonly db: Db) {}

    /** Every indexed note's stamp and tags: what a start compares the files on disk with. */
    async stamps(): Promise<IndexedStamp[]> {
        const rows = await this.db.all<{ path: string; size: number; mtime_ms: number; tags: string }>(
            "SELECT path, size, mtime_ms, tags FROM vault_notes",
        );
        return rows.map((r) => ({ path: r.path, size: r.size, mtimeMs: r.mtime_ms, tags: r.tags === "" ? [] : r.tags.split(" ") }));
    }

    async stamp(path: string): Promise<NoteStamp | null> {
        const row = await this.db.get<{ size: number; mtime_ms: number }>("SELECT size, mtime_ms FROM vault_notes WHERE path = ?", [path]);
        return row ? { size: row.size, mtimeMs: row.mtime_ms } : null;
    }

    /** Adds or replaces notes and removes paths, in one transaction. */
    async apply(put: readonly IndexedNote[], remove: readonly string[]): Promise<void> {
        if (put.length === 0 && remove.length === 0) return;
        await this.db.tx(async () => {
            for (const path of remove) await this.db.run("DELETE FROM vault_notes WHERE path = ?", [path]);
            for (const n of put) {
                await this.db.run(
                    `INSERT INTO vault_notes (path, title, text, size, mtime_ms, tags) VALUES (?, ?, ?, ?, ?, ?)
                     ON CONFLICT (path) DO UPDATE SET title = excluded.title, text = excluded.text, size = excluded.size,
                     mtime_ms = excluded.mtime_ms, tags = excluded.tags`,
                    [n.path, n.title, n.text, n.size, n.mtimeMs, n.tags.join(" ")],
                );
            }
        });
    }

    /** Removes every note under a folder (a folder deleted or renamed on disk). */
    async removeUnder(folder: string): Promise<void> {
        await this.db.write("DELETE FROM vault_notes WHERE path LIKE ? ESCAPE '\\'", [under(folder)]);
    }

    /** The best `limit` notes with every word, best first, each with a snippet of its text. */
    search(words: readonly SearchWord[], limit: number): Promise<NoteHit[]> {
        return this.db.all<NoteHit>(
            `SELECT n.path AS path, n.title AS title, snippet(vault_search, 1, '**', '**', '…', 16) AS snippet
             FROM vault_search JOIN vault_notes AS n ON n.id = vault_search.rowid
             WHERE vault_search MATCH ? ORDER BY rank LIMIT ?`,
            [matchAll(words), limit],
        );
    }

    /** Notes under a folder ("" = the whole vault) in path order, and how many there are in all. */
    async list(folder: string, limit: number): Promise<{ notes: ListedNote[]; total: number }> {
        const params: Param[] = [under(folder)];
        const rows = await this.db.all<{ path: string; size: number; mtime_ms: number }>(
            "SELECT path, size, mtime_ms FROM vault_notes WHERE path LIKE ? ESCAPE '\\' ORDER BY path LIMIT ?",
            [...params, limit],
        );
        const total =
            (await this.db.get<{ n: number }>("SELECT count(*) AS n FROM vault_notes WHERE path LIKE ? ESCAPE '\\'", params))?.n ?? 0;
        return { notes: rows.map((r) => ({ path: r.path, size: r.size, mtimeMs: r.mtime_ms })), total };
    }
}
