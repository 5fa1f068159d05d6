/**
 * Keeps the vault index fresh while the daemon runs: one non-recursive `fs.watch` per folder (one
 * inotify watch each), which reports every name created, changed, renamed or removed in it. Not chokidar
 * and not `fs.watch(…, {recursive})`: on Linux both watch every file (50,000 notes, 50,000 watches), and
 * a folder watch already hears about its files. The names go to `changed`; the index decides what they are.
 */
import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";

export class DirWatcher {
    private readonly watchers = new Map<string, FSWatcher>();
    private warned = false;
    private closed = false;

    constructor(
        private readonly root: string,
        /** A vault-relative path whose entry changed (a note, a folder, anything). */
        private readonly changed: (rel: string) => void,
        private readonly warn: (message: string) => void,
    ) {}

    get size(): number {
        return this.watchers.size;
    }

    /** Watches a vault-relative folder ("" = the vault), once. */
    add(rel: string): void {
        if (this.closed || this.watchers.has(rel)) return;
        const abs = rel === "" ? this.root : join(this.root, ...rel.split("/"));
        try {
            const w = watch(abs, { persistent: false }, (_event, name) => {
                if (typeof name === "string" && name !== "") this.changed(rel === "" ? name.split("\\").join("/") : `${rel}/${name}`);
            });
            // The folder went away (or the watch broke): its parent's watch reports the name, which re-checks it.
            w.on("error", () => {
                this.drop(rel);
                if (rel !== "") this.changed(rel);
            });
            this.watchers.set(rel, w);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
            if (!this.warned) {
                this.warned = true;
                this.warn(
                    `vault index: cannot watch ${rel || "the vault"} (${(err as Error).message}); notes changed there are found at the next start. ` +
                        "On Linux, raise fs.inotify.max_user_watches.",
                );
            }
        }
    }

    /** Stops watching a folder and every folder under it (it was removed or renamed). */
    drop(rel: string): void {
        for (const [dir, w] of this.watchers) {
            if (dir === rel || rel === "" || dir.startsWith(`${rel}/`)) {
                w.close();
                this.watchers.delete(dir);
            }
        }
    }

    close(): void {
        this.closed = true;
        for (const w of this.watchers.values()) w.close();
        this.watchers.clear();
    }
}
