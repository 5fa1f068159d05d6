/**
 * Which files the watcher cares about (docs/config.md `chats.folders`): notes are `.md` files; anything in or
 * named like a hidden folder or file (`.obsidian`, `.git`, `.trash`, Lodge's `.<name>.<random>.tmp`) is
 * not.
 */
import type { Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";

export class ChatPaths {
    /** The chat folders as vault-relative prefixes ("" = the whole vault). */
    readonly folders: string[];

    constructor(
        readonly root: string,
        folders: string[],
    ) {
        this.folders = [...new Set(folders.map(folderPrefix).filter((f): f is string => f !== null))];
    }

    /** The chat folders' absolute paths. */
    folderDirs(): string[] {
        return this.folders.map((f) => (f === "" ? this.root : join(this.root, ...f.split("/"))));
    }

    /** Vault-relative with `/`, or null for the vault itself and anything outside it. */
    rel(absolute: string): string | null {
        const rel = relative(this.root, absolute);
        if (rel === "" || rel.startsWith("..") || rel.startsWith(sep)) return null;
        return rel.split(sep).join("/");
    }

    inFolders(rel: string): boolean {
        return this.folders.some((f) => f === "" || rel.startsWith(`${f}/`));
    }

    isFolderNote(absolute: string): boolean {
        const rel = this.rel(absolute);
        return rel !== null && isNotePath(rel) && this.inFolders(rel);
    }

    /** For chokidar, which asks twice: by name (no stats), then with stats. Folders above the vault are not ours to judge. */
    ignored(path: string, stats?: Stats): boolean {
        const rel = this.rel(path);
        if (rel === null) return false;
        if (rel.split("/").some((part) => part.startsWith("."))) return true;
        return stats?.isFile() === true && !/\.md$/i.test(path);
    }

    /** Of these vault-relative paths, the notes outside the chat folders that exist now (absolute). */
    async existingNotesElsewhere(paths: string[]): Promise<string[]> {
        const candidates = paths.filter((rel) => isNotePath(rel) && !this.inFolders(rel)).map((rel) => join(this.root, ...rel.split("/")));
        const found: string[] = [];
        for (let i = 0; i < candidates.length; i += 256) {
            const batch = candidates.slice(i, i + 256);
            const kinds = await Promise.all(batch.map((p) => isKind(p, "file")));
            batch.forEach((p, j) => kinds[j] && found.push(p));
        }
        return found;
    }
}

/** A chat folder as a vault-relative prefix; null for one that leaves the vault or is hidden. */
function folderPrefix(folder: string): string | null {
    const parts = folder
        .replace(/\\/g, "/")
        .split("/")
        .filter((p) => p !== "" && p !== ".");
    if (parts.some((p) => p === ".." || p.startsWith("."))) return null;
    return parts.join("/");
}

export function isNotePath(rel: string): boolean {
    return /\.md$/i.test(rel) && !rel.split("/").some((p) => p === "" || p.startsWith(".") || p === "..");
}

export async function isKind(path: string, kind: "dir" | "file"): Promise<boolean> {
    const info = await stat(path).catch(() => null);
    return kind === "dir" ? info?.isDirectory() === true : info?.isFile() === true;
}
