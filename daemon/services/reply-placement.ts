/**
 * Where a finished reply goes when the daemon writes the note (SPEC §5): into what is on disk at the
 * end of the turn, so whatever the person added meanwhile is kept. When an editor streamed the reply
 * and went away (`submitted` is then the text it sent), the disk text may already end with part of
 * this reply, saved by that editor: that part is replaced instead of a second copy being appended.
 * A trailing failed turn on disk is replaced by the retry's reply, as everywhere (failed-turn.ts).
 */
import { appendReply } from "../../shared/note/compose";
import { trailingFailedTurn } from "../../shared/note/failed-turn";
import { setFrontmatterKeys, type FrontmatterUpdates } from "../../shared/note/frontmatter-write";
import { REPLY_HEAD } from "../../shared/note/reply";

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
