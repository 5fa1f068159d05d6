/**
 * Where a finished reply goes when the daemon writes the note (docs/api.md): into what is on disk at the
 * end of the turn, so whatever the person added meanwhile is kept. When an editor streamed the reply
 * and went away (`submitted` is then the text it sent), the disk text may already end with part of
 * this reply, saved by that editor: that part is replaced instead of a second copy being appended.
 * A trailing failed turn on disk is replaced by the retry's reply, as everywhere (failed-turn.ts).
 */
import { appendReply, composeNote } from "../../shared/note/compose";
import { trailingFailedTurn } from "../../shared/note/failed-turn";
import { setFrontmatterKeys, type FrontmatterUpdates } from "../../shared/note/frontmatter-write";
import { parseNote } from "../../shared/note/parse";
import { REPLY_HEAD } from "../../shared/note/reply-builder";
import { conversationTurns } from "../../shared/note/turns";
import type { ParsedNote } from "../../shared/note/types";
import type { Logger } from "../log";
import { findNote } from "../vault/note-scan";
import type { NotePath, Vault } from "../vault/vault";
import { sameText } from "./history";
import type { CheckedTurn } from "./checked-turn";

const FENCE_CLOSER_LINE = /\n {0,3}(`{3,}|~{3,})[ \t]*$/;
const HEAD = REPLY_HEAD.trimEnd();

export function placeReply(disk: string, reply: string, updates: FrontmatterUpdates, submitted?: string): string {
    let base: string;
    try {
        base = setFrontmatterKeys(disk, updates);
    } catch {
        // The person broke the frontmatter during the turn: keep their text, still deliver the reply.
        base = disk;
    }
    if (submitted !== undefined) {
        // A saved partial reply adds one assistant heading to what was submitted (replies escape
        // headings, so they hold no other) — or takes the place of the failed turn it retries, whose
        // heading then counts as the reply's; without it, the last heading is the person's own.
        const at = base.lastIndexOf(HEAD);
        const before = count(submitted, HEAD) - (trailingFailedTurn(submitted) ? 1 : 0);
        if (at >= 0 && count(base, HEAD) > before && isPartOf(base.slice(at).trimEnd(), reply)) return base.slice(0, at) + reply;
    }
    return appendReply(base, reply);
}

function count(text: string, part: string): number {
    let n = 0;
    for (let i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length)) n++;
    return n;
}

/** Whether `tail` is a state the streamed reply passed through: a prefix, give or take a fence closer. */
function isPartOf(tail: string, reply: string): boolean {
    if (reply.startsWith(tail)) return true;
    const closer = FENCE_CLOSER_LINE.exec(tail);
    return closer !== null && reply.startsWith(tail.slice(0, closer.index));
}

/** Where a finished reply goes when the daemon writes it, or why it goes nowhere. */
type ReplyTarget = { kind: "note"; note: NotePath; disk: string; moved: boolean } | { kind: "gone" } | { kind: "lost"; message: string };

/**
 * The note a reply belongs to (issue 9). The note at the turn's path takes it when it still carries the
 * turn's conversation id — or carries none and still holds the turn's conversation (the id is written
 * with the reply). Otherwise the note was renamed or moved while the turn ran (Obsidian may even put
 * another note at the old path): the note that carries the conversation, wherever it went, takes it.
 * A path replaced by a folder or by binary data, or holding another conversation when no note carries
 * this one, gets nothing: the reply is in the history, and the turn ends with an error saying so.
 */
async function replyTarget(vault: Vault, path: NotePath, conversationId: string, submitted: ParsedNote): Promise<ReplyTarget> {
    const holds = (text: string): boolean => holdsConversation(text, conversationId, submitted, false);
    let disk: string | null;
    let unreadable = false;
    try {
        disk = await vault.read(path);
    } catch {
        disk = null;
        unreadable = true;
    }
    if (disk !== null && holdsConversation(disk, conversationId, submitted, true)) return { kind: "note", note: path, disk, moved: false };
    const found = await findNote(vault, path, holds);
    if (found) return { kind: "note", note: found.note, disk: found.text, moved: true };
    if (disk === null && !unreadable) return { kind: "gone" };
    const what = unreadable ? "by something that is not a note (a folder, or binary data)" : "by a note of another conversation";
    return {
        kind: "lost",
        message: `${path.relative} was replaced during the turn ${what}; the reply was not written. It is kept in the conversation's history (${conversationId}).`,
    };
}

function holdsConversation(text: string, conversationId: string, submitted: ParsedNote, samePath: boolean): boolean {
    let parsed: ParsedNote;
    try {
        parsed = parseNote(text);
    } catch {
        // Frontmatter the person broke mid-turn: the id cannot be read; the text still tells.
        return text.includes(conversationId);
    }
    const id = parsed.settings.conversation_id;
    const had = submitted.settings.conversation_id;
    // At its path, the id the note was sent with still counts (a copy or an unknown id gets a new one).
    if (id !== undefined) return id === conversationId || (samePath && id === had);
    if (had !== undefined) return false;
    // Not given an id yet: the same conversation when its turns begin with the ones the turn answered.
    const mine = conversationTurns(submitted.turns);
    const theirs = conversationTurns(parsed.turns);
    if (mine.length === 0 || theirs.length === 0) return false;
    // At its path the person may have written on meanwhile: the note need only begin as it did.
    if (samePath) return flat(theirs[0]!.text).startsWith(flat(mine[0]!.text));
    return theirs.length >= mine.length && mine.every((t, i) => t.role === theirs[i]!.role && sameText(t.text, theirs[i]!.text));
}

function flat(text: string): string {
    return text.replace(/\s+/g, " ").trim();
}

/**
 * Writes a finished reply into its note, wherever the note went (replyTarget); gives the note's final
 * text, and `lost` when the path holds something that is not the conversation's note any more.
 * `partial`: a partial reply of this turn may be on disk (a progress write, an editor's save), to be
 * replaced, never stacked.
 */
export async function writeReply(
    // The progress writer's placement (ProgressWriter.place), which itself places replies with placeReply.
    io: { vault: Vault; log: Logger; progress: { place(disk: string, reply: string, updates: FrontmatterUpdates): string } },
    turn: Pick<CheckedTurn, "note" | "text" | "parsed" | "writer">,
    reply: string,
    updates: FrontmatterUpdates & { conversation_id: string },
    partial: boolean,
): Promise<{ text: string; lost?: string }> {
    const target = await replyTarget(io.vault, turn.note, updates.conversation_id, turn.parsed);
    if (target.kind !== "note") {
        // Deleted during the turn: it stays deleted. Replaced by something else: the turn says so. The reply is in the history.
        io.log.warn(target.kind === "lost" ? target.message : `${turn.note.relative} is gone; the reply was not written`);
        return { text: composeNote(turn.text, reply, updates), lost: target.kind === "lost" ? target.message : undefined };
    }
    if (target.moved) io.log.info(`${turn.note.relative} moved during the turn; the reply went to ${target.note.relative}`);
    const final =
        target.moved || !partial
            ? placeReply(target.disk, reply, updates, turn.writer === "editor" ? turn.text : undefined)
            : io.progress.place(target.disk, reply, updates);
    await io.vault.write(target.note, final);
    return { text: final };
}
