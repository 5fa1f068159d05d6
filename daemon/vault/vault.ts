/**
 * The vault folder: resolving a request's filename to a note that is really inside it, reading
 * notes as strict UTF-8, and writing them atomically (docs/api.md, docs/daemon.md). Every write is a hidden
 * temporary file in the note's folder (`.<name>.<random>.tmp`), flushed, then renamed over the note,
 * so a crash leaves the old note or the new one, never half of either.
 */
import { randomBytes } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { mkdir, open, readdir, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { LodgeError } from "../../shared/errors";

export interface NotePath {
    /** Relative to the vault, with `/` separators and `.md`: what the person and the database see. */
    relative: string;
    /** Absolute path of the note's real location (symlinks inside the vault resolved). */
    absolute: string;
}

const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;
/** Bytes a file name may have on ext4, APFS and NTFS (in UTF-16 units there, never fewer than here). */
const MAX_NAME_BYTES = 255;

/**
 * `.<name>.<random>.tmp`, with `<name>` cut (at a character boundary) so the whole fits in 255 bytes:
 * a note with the longest name a file system allows can still be written. The cut name still starts
 * the temporary one, and the start-up cleanup only looks at the random part and the suffix.
 */
export function tempName(noteName: string): string {
    const suffix = `.${randomBytes(6).toString("hex")}.tmp`;
    const room = MAX_NAME_BYTES - 1 - suffix.length;
    let name = noteName;
    if (Buffer.byteLength(name) > room) {
        let bytes = 0;
        let end = 0;
        for (const ch of name) {
            bytes += Buffer.byteLength(ch);
            if (bytes > room) break;
            end += ch.length;
        }
        name = name.slice(0, end);
    }
    return `.${name}${suffix}`;
}
const outside = (why: string) => new LodgeError("path_outside_vault", `filename is refused: ${why}`);

export class Vault {
    readonly root: string;

    constructor(root: string) {
        this.root = realpathSync(root);
    }

    /** Resolves a request's filename, refusing anything that leaves the vault or enters a hidden folder. */
    async resolve(filename: unknown): Promise<NotePath> {
        if (typeof filename !== "string" || filename.trim() === "") throw new LodgeError("bad_request", "filename is required");
        if (filename.includes("\u0000")) throw outside("it contains a NUL byte");
        if (isAbsolute(filename) || /^[A-Za-z]:/.test(filename) || filename.startsWith("\\")) throw outside("it is absolute; give a path relative to the vault");
        let rel = filename.replace(/\\/g, "/");
        if (!rel.toLowerCase().endsWith(".md")) rel += ".md";
        const parts = rel.split("/").filter((p) => p !== "" && p !== ".");
        if (parts.some((p) => p === "..")) throw outside("it leaves the vault (..)");
        if (parts.some((p) => p.startsWith("."))) throw outside("it enters a hidden folder or file (.obsidian, .git, .trash, …)");
        rel = parts.join("/");
        const absolute = join(this.root, ...parts);
        // Symlinks: the real location of the note (or of its nearest existing folder) must be inside.
        let existing = absolute;
        while (!existsSync(existing)) existing = dirname(existing);
        const real = await realpath(existing);
        if (!this.contains(real)) throw outside("it points outside the vault through a symbolic link");
        const resolved = existing === absolute ? real : join(real, relative(existing, absolute));
        return { relative: rel, absolute: resolved };
    }

    /** Reads a note as strict UTF-8. Missing → null. Not a note → bad_request. */
    async read(note: NotePath): Promise<string | null> {
        let info;
        try {
            info = await stat(note.absolute);
        } catch {
            return null;
        }
        if (!info.isFile()) throw new LodgeError("bad_request", `${note.relative} is not a file`);
        return decodeNote(await readFile(note.absolute), note.relative);
    }

    /** Writes atomically: temporary file in the same folder, fsync, rename over the note. */
    async write(note: NotePath, text: string): Promise<void> {
        const dir = dirname(note.absolute);
        await mkdir(dir, { recursive: true });
        const temp = join(dir, tempName(basename(note.absolute)));
        const handle = await open(temp, "wx", 0o644);
        try {
            await handle.writeFile(text, "utf8");
            await handle.sync();
        } finally {
            await handle.close();
        }
        try {
            await rename(temp, note.absolute);
        } catch (err) {
            await rm(temp, { force: true });
            throw err;
        }
    }

    /** Removes temporary files a crash left behind. Hidden folders (.obsidian, .git, .trash) are skipped. */
    async removeStaleTempFiles(): Promise<number> {
        let removed = 0;
        const walk = async (dir: string): Promise<void> => {
            const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
            for (const entry of entries) {
                const path = join(dir, entry.name);
                if (entry.isDirectory()) {
                    if (!entry.name.startsWith(".")) await walk(path);
                } else if (entry.isFile() && TEMP_FILE.test(entry.name)) {
                    await rm(path, { force: true });
                    removed++;
                }
            }
        };
        await walk(this.root);
        return removed;
    }

    private contains(real: string): boolean {
        return real === this.root || real.startsWith(this.root + sep);
    }
}

/** Strict UTF-8 with no NUL bytes: anything else is not a markdown note. */
export function decodeNote(bytes: Uint8Array, name: string): string {
    if (bytes.includes(0)) throw new LodgeError("bad_request", `${name} contains NUL bytes: it looks like a binary file, not markdown`);
    try {
        const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    } catch {
        throw new LodgeError("bad_request", `${name} is not valid UTF-8 text`);
    }
}
