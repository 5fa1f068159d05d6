/**
 * Putting a reply into a note (SPEC §3): the reply replaces the note's trailing whitespace, and the
 * daemon's frontmatter keys are set. The daemon uses these for every write, the plugin to check
 * its editor against `done.new_content`.
 */
import { type FrontmatterUpdates, setFrontmatterKeys } from "./frontmatter-write";

/** `text.trimEnd()` + reply: where the reply goes is `anchorOf(text)`. */
export function appendReply(text: string, reply: string): string {
    return text.trimEnd() + reply;
}

/** Offset where a reply to `text` starts. */
export function anchorOf(text: string): number {
    return text.trimEnd().length;
}

/** The final note: frontmatter keys set, reply appended. */
export function composeNote(text: string, reply: string, updates: FrontmatterUpdates): string {
    return appendReply(setFrontmatterKeys(text, updates), reply);
}
