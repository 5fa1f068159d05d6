/**
 * Finding a note by what it holds, for the rare moment a turn's note moved while it ran (issue 9):
 * the note's own folder first (a rename usually stays there), then the rest of the vault. Hidden
 * folders and files are skipped; a file that is not a readable note is passed over.
 */
import { readdir } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { NotePath, Vault } from "./vault";

export async function findNote(vault: Vault, near: NotePath, holds: (text: string) => boolean): Promise<{ note: NotePath; text: string } | null> {
    const seen = new Set<string>();
    const look = async (dir: string, deep: boolean): Promise<{ note: NotePath; text: string } | null> => {
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
            if (entry.name.startsWith(".")) continue;
            const absolute = join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!deep) continue;
                const found = await look(absolute, true);
                if (found) return found;
            } else if (entry.isFile() && entry.name.toLowerCase().endsWith(".md") && !seen.has(absolute)) {
                seen.add(absolute);
                const note = { relative: relative(vault.root, absolute).split(sep).join("/"), absolute };
                const text = await vault.read(note).catch(() => null);
                if (text !== null && holds(text)) return { note, text };
            }
        }
        return null;
    };
    return (await look(dirname(near.absolute), false)) ?? (await look(vault.root, true));
}
