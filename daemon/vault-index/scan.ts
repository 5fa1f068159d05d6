/**
 * Walking the vault for the index: every folder an agent may see (hidden and excluded folders are not
 * entered), each watched before it is read so no change falls between the two, and each note's size
 * and modification time from one `stat`. Symbolic links are not followed (they may lead out of the
 * vault, or in circles).
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { NoteStamp } from "../store/vault-notes";
import type { Visibility } from "../vault/visibility";

export interface ScannedNote extends NoteStamp {
    /** Vault-relative, `/` separators. */
    path: string;
}

/** How many `stat` calls are in flight at once (libuv's pool has four threads). */
const STAT_BATCH = 64;

export const isNoteName = (name: string): boolean => /\.md$/i.test(name);

/** The size and modification time of a file, or null when it is gone, a link, or neither file nor folder. */
export async function stampOf(abs: string): Promise<(NoteStamp & { kind: "file" | "dir" }) | null> {
    const info = await lstat(abs).catch(() => null);
    if (!info) return null;
    if (info.isDirectory()) return { kind: "dir", size: 0, mtimeMs: info.mtimeMs };
    return info.isFile() ? { kind: "file", size: info.size, mtimeMs: info.mtimeMs } : null;
}

/**
 * Walks `start` (vault-relative, "" = the vault) and calls `notes` with each folder's visible notes.
 * `enter` is called for each folder before it is read (the watcher hooks in there). Stops early when
 * `stopped()` says so.
 */
export async function scanFolder(
    root: string,
    start: string,
    visibility: Visibility,
    hooks: { enter(rel: string): void; notes(found: ScannedNote[]): Promise<void>; stopped(): boolean },
): Promise<void> {
    const folders = [start];
    while (folders.length > 0 && !hooks.stopped()) {
        const rel = folders.pop()!;
        if (visibility.folderHidden(rel)) continue;
        hooks.enter(rel);
        const abs = rel === "" ? root : join(root, ...rel.split("/"));
        const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
        const names: string[] = [];
        for (const entry of entries) {
            const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
            if (entry.isDirectory()) folders.push(child);
            else if (entry.isFile() && isNoteName(entry.name) && visibility.pathRule(child) === null) names.push(child);
        }
        for (let i = 0; i < names.length; i += STAT_BATCH) {
            const batch = names.slice(i, i + STAT_BATCH);
            const stamps = await Promise.all(batch.map((n) => stampOf(join(root, ...n.split("/")))));
            const found: ScannedNote[] = [];
            batch.forEach((path, j) => {
                const s = stamps[j];
                if (s?.kind === "file") found.push({ path, size: s.size, mtimeMs: s.mtimeMs });
            });
            await hooks.notes(found);
        }
    }
}
