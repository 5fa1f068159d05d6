/**
 * Where a finished reply goes when the daemon writes the note (SPEC §5): into what is on disk at the
 * end of the turn, so whatever the person added meanwhile is kept. If the disk text already ends
 * with part of this reply (an editor applied some deltas and saved before it went away), that part
 * is replaced instead of a second copy being appended.
 */
import { appendReply } from "../../shared/note/compose";
import { setFrontmatterKeys, type FrontmatterUpdates } from "../../shared/note/frontmatter-write";
import { REPLY_HEAD } from "../../shared/note/reply";

const FENCE_CLOSER_LINE = /\n {0,3}(`{3,}|~{3,})[ \t]*$/;

export function placeReply(disk: string, reply: string, updates: FrontmatterUpdates): string {
    let base: string;
    try {
        base = setFrontmatterKeys(disk, updates);
    } catch {
        // The person broke the frontmatter during the turn: keep their text, still deliver the reply.
        base = disk;
    }
    const at = base.lastIndexOf(REPLY_HEAD.trimEnd());
    if (at >= 0 && isPartOf(base.slice(at).trimEnd(), reply)) return base.slice(0, at) + reply;
    return appendReply(base, reply);
}

/** Whether `tail` is a state the streamed reply passed through: a prefix, give or take a fence closer. */
function isPartOf(tail: string, reply: string): boolean {
    if (reply.startsWith(tail)) return true;
    const closer = FENCE_CLOSER_LINE.exec(tail);
    return closer !== null && reply.startsWith(tail.slice(0, closer.index));
}
