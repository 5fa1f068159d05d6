/**
 * The watcher's eyes on the disk (chokidar, one inotify watch per file and folder): the chat folders,
 * recursively, and chat notes elsewhere one file at a time. A chat folder that does not exist yet is
 * waited for (FolderWaiter). Failures are one log line each, not repeated while they stay the same.
 */
import { type FSWatcher, watch } from "chokidar";
import { existsSync, type FSWatcher as FolderWatch, type Stats, watch as watchFolder } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { Logger } from "../log";
import { type ChatPaths, isKind } from "./chat-paths";

export interface FileEvents {
    changed(absolute: string): void;
    gone(absolute: string): void;
    /** A chat folder missing at the start now exists (and is watched). */
    appeared(dir: string): void;
}

export class NoteFiles {
    private fsw: FSWatcher | null = null;
    private readonly waiter: FolderWaiter;
    private lastFailure = "";

    constructor(
        private readonly paths: ChatPaths,
        private readonly on: FileEvents,
        private readonly log: Logger,
    ) {
        this.waiter = new FolderWaiter(
            paths.root,
            (dir) => this.appeared(dir),
            (err) => this.failed(err),
        );
    }

    /** Watches the chat folders and these files; resolves once chokidar has set up every watch. */
    async start(files: string[]): Promise<void> {
        const present: string[] = [];
        const missing: string[] = [];
        for (const dir of this.paths.folderDirs()) ((await isKind(dir, "dir")) ? present : missing).push(dir);
        const fsw = watch([...present, ...files], {
            ignoreInitial: true,
            followSymlinks: false,
            ignored: (path: string, stats?: Stats) => this.paths.ignored(path, stats),
        });
        this.fsw = fsw;
        fsw.on("add", (p: string) => this.on.changed(p));
        fsw.on("change", (p: string) => this.on.changed(p));
        fsw.on("unlink", (p: string) => this.on.gone(p));
        fsw.on("error", (err: unknown) => this.failed(err));
        // chokidar never says ready for an empty list, and says it too early when a path is missing.
        if (present.length + files.length > 0) await new Promise<void>((resolve) => fsw.once("ready", () => resolve()));
        for (const dir of missing) this.waiter.wait(dir);
    }

    add(path: string): void {
        this.fsw?.add(path);
    }

    unwatch(path: string): void {
        this.fsw?.unwatch(path);
    }

    /** The notes watched in the chat folders (absolute). */
    folderNotes(): string[] {
        const found: string[] = [];
        for (const [dir, names] of Object.entries(this.fsw?.getWatched() ?? {})) {
            for (const name of names) if (this.paths.isFolderNote(join(dir, name))) found.push(join(dir, name));
        }
        return found;
    }

    async close(): Promise<void> {
        this.waiter.close();
        await this.fsw?.close();
    }

    private appeared(dir: string): void {
        this.fsw?.add(dir);
        this.on.appeared(dir);
    }

    private failed(err: unknown): void {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        const message =
            code === "ENOSPC"
                ? "out of inotify watches: raise fs.inotify.max_user_watches (sysctl) or watch fewer notes (chats.folders)"
                : err instanceof Error
                  ? err.message
                  : String(err);
        if (this.lastFailure === message) return;
        this.lastFailure = message;
        this.log.warn(`watch: ${message}`);
    }
}

/**
 * Folders that do not exist yet: each one's nearest existing parent is watched, one level, until the
 * folder appears; then `appeared` is called once.
 */
class FolderWaiter {
    private readonly waiting = new Map<string, FolderWatch>();
    private closed = false;

    constructor(
        private readonly root: string,
        private readonly appeared: (dir: string) => void,
        private readonly failed: (err: unknown) => void,
    ) {}

    wait(dir: string): void {
        this.waiting.get(dir)?.close();
        this.waiting.delete(dir);
        if (this.closed) return;
        if (existsSync(dir)) return this.appeared(dir);
        let parent = dirname(dir);
        while (parent !== this.root && !existsSync(parent)) parent = dirname(parent);
        const next = join(parent, relative(parent, dir).split(sep)[0]!);
        const check = (): void => {
            if (existsSync(next)) this.wait(dir);
        };
        try {
            const w = watchFolder(parent, { persistent: false }, check);
            w.on("error", () => this.wait(dir));
            this.waiting.set(dir, w);
        } catch (err) {
            return this.failed(err);
        }
        check(); // created while the watch was being set up
    }

    close(): void {
        this.closed = true;
        for (const w of this.waiting.values()) w.close();
        this.waiting.clear();
    }
}
