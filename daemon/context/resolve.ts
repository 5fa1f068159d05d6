/**
 * Which file a link's path names, as Obsidian's getFirstLinkpathDest picks it (docs/context.md):
 * - a path with a folder (`Projects/Plan`) is tried from the vault root, then from the chat note's
 *   folder (`./` and `../` only from there); `.md` is added when the path has no extension of a file;
 * - otherwise, and when those miss, by name (or by the end of the path), case ignored: several
 *   matches → the one in the chat note's folder, else the shortest path, then alphabetical.
 * Nothing outside the vault is ever a match: hidden files and folders are not looked at, symbolic
 * links are not followed by the name search, and a path whose real location leaves the vault is refused.
 * One resolver serves one turn; the vault's file names are listed once, when a name is first needed.
 */
import { type Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join, posix, sep } from "node:path";
import { isHiddenPath } from "../vault/visibility";

export type Resolved = { path: string; absolute: string } | { problem: "outside the vault" };

/** A vault this large is not listed past this many files: a link beyond them is "not found". */
const MAX_FILES = 500_000;

export class LinkResolver {
    private names: Promise<Map<string, string[]>> | null = null;
    private readonly memo = new Map<string, Promise<Resolved | null>>();

    constructor(
        private readonly root: string,
        /** The chat note's vault-relative path. */
        private readonly source: string,
    ) {}

    /** Resolves once per turn however often a path is linked; links may be resolved side by side. */
    resolve(linkpath: string): Promise<Resolved | null> {
        let found = this.memo.get(linkpath);
        if (!found) this.memo.set(linkpath, (found = this.find(linkpath)));
        return found;
    }

    private async find(linkpath: string): Promise<Resolved | null> {
        const folder = posix.dirname(this.source) === "." ? "" : posix.dirname(this.source);
        const candidates = withExtension(linkpath.replace(/^\/+/, ""));
        const relative = /^\.\.?\//.test(linkpath);
        if (linkpath.includes("/")) {
            const bases = relative ? [folder] : linkpath.startsWith("/") ? [""] : ["", folder];
            for (const base of bases) {
                for (const c of candidates) {
                    const found = await this.file(posix.normalize(posix.join(base, c)));
                    if (found) return found;
                }
            }
            if (relative || linkpath.startsWith("/")) return null;
        } else {
            // The name rule's first two choices, without listing the vault: the chat note's folder, the root.
            for (const base of folder === "" ? [""] : [folder, ""]) {
                for (const c of candidates) {
                    const found = await this.file(posix.join(base, c));
                    if (found) return found;
                }
            }
        }
        return this.byName(candidates, folder);
    }

    private async byName(candidates: readonly string[], folder: string): Promise<Resolved | null> {
        const names = await this.listNames();
        for (const c of candidates) {
            const lower = c.toLowerCase();
            const name = lower.slice(lower.lastIndexOf("/") + 1);
            const matches = (names.get(name) ?? []).filter(
                (p) => !lower.includes("/") || p.toLowerCase().endsWith(`/${lower}`) || p.toLowerCase() === lower,
            );
            if (matches.length === 0) continue;
            const inFolder = matches.find((p) => posix.dirname(p) === (folder || "."));
            const best = inFolder ?? [...matches].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))[0]!;
            return this.file(best);
        }
        return null;
    }

    /** The file at a vault-relative path, when it is one and really inside the vault. */
    private async file(rel: string): Promise<Resolved | null> {
        if (rel === "" || rel.startsWith("../") || rel === ".." || isHiddenPath(rel)) return null;
        const absolute = join(this.root, ...rel.split("/"));
        const info = await stat(absolute).catch(() => null);
        if (!info?.isFile()) return null;
        const real = await realpath(absolute).catch(() => null);
        if (real === null || !(real === this.root || real.startsWith(this.root + sep))) return { problem: "outside the vault" };
        return { path: rel, absolute: real };
    }

    private listNames(): Promise<Map<string, string[]>> {
        return (this.names ??= this.walkNames());
    }

    private async walkNames(): Promise<Map<string, string[]>> {
        const names = new Map<string, string[]>();
        let count = 0;
        // Folders are read side by side: a vault of a few thousand notes is listed in a few milliseconds.
        const walk = async (dir: string, rel: string): Promise<void> => {
            const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
            const folders: Array<Promise<void>> = [];
            for (const entry of entries) {
                if (entry.name.startsWith(".") || count >= MAX_FILES) continue;
                const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
                if (entry.isDirectory()) folders.push(walk(join(dir, entry.name), path));
                else if (entry.isFile()) {
                    count++;
                    const key = entry.name.toLowerCase();
                    const list = names.get(key);
                    if (list) list.push(path);
                    else names.set(key, [path]);
                }
            }
            await Promise.all(folders);
        };
        await walk(this.root, "");
        return names;
    }
}

/** `Note` → `Note.md`, then `Note` itself (a file with an extension: `x.png`, `Note.md`). */
function withExtension(linkpath: string): string[] {
    if (/\.md$/i.test(linkpath)) return [linkpath];
    return [`${linkpath}.md`, linkpath];
}
