/**
 * Reads a chat note (docs/notes.md): frontmatter, the settings it carries, and the turns. Pure and linear
 * in the note's length.
 */
import { LodgeError } from "../errors";
import { noteSettings, readFrontmatter } from "./frontmatter";
import { scanTurns } from "./turns";
import type { ParsedNote } from "./types";

/** Parses a whole note. Throws LodgeError (`invalid_frontmatter`, `bad_request`) and nothing else. */
export function parseNote(text: string): ParsedNote {
    if (typeof text !== "string") throw new LodgeError("bad_request", "the note must be text");
    if (text.includes("\u0000"))
        throw new LodgeError("bad_request", "the note contains NUL bytes: it looks like a binary file, not markdown");
    const frontmatter = readFrontmatter(text);
    const settings = frontmatter ? noteSettings(frontmatter.data) : {};
    return { frontmatter, settings, turns: scanTurns(text, frontmatter?.end ?? 0) };
}
