/**
 * Putting a reply into a note (docs/notes.md): the reply replaces the note's trailing whitespace — and a
 * trailing failed turn, which the reply retries (failed-turn.ts) — and the daemon's frontmatter keys
 * are set. The daemon uses these for every write, the plugin to check its editor against `done.new_content`.
 */
import { replyAnchor } from "./failed-turn";
import { type FrontmatterUpdates, setFrontmatterKeys } from "./frontmatter-write";

/** The note up to where the reply goes (`replyAnchor`), then the reply. */
export function appendReply(text: string, reply: string): string {
    return text.slice(0, replyAnchor(text)) + reply;
}

/** The final note: frontmatter keys set, reply appended. */
export function composeNote(text: string, reply: string, updates: FrontmatterUpdates): string {
    return appendReply(setFrontmatterKeys(text, updates), reply);
}
