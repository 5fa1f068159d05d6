/**
 * At `done` the daemon sends the note's final frontmatter block (with `conversation_id` and `agent`
 * set). The person may have edited the frontmatter while the reply streamed, so the block is not
 * pasted over theirs: both changes are made to the block as it was sent (a three-way merge of two
 * single edits) when they do not touch, which is the usual case (the daemon adds or updates its two
 * keys, the person edits another line).
 */
import { deltaEdit, diffText } from "../../shared/protocol/delta";
import { applyEdits } from "../chat-note";

/**
 * @param sent the frontmatter block of the note as it was sent ("" for none)
 * @param current the block in the note now
 * @param final the daemon's block (`done.frontmatter`; "" means it has none to write)
 * @returns the block the note should have
 */
export function mergeFrontmatter(sent: string, current: string, final: string): string {
    if (final === "" || final === sent) return current;
    const theirs = diffText(sent, current);
    const ours = diffText(sent, final);
    if (!theirs || !ours) return final;
    const a = deltaEdit(theirs);
    const b = deltaEdit(ours);
    // Edits that meet or overlap cannot both be kept: the daemon's keys matter more for the conversation.
    if (a.to >= b.from && b.to >= a.from) return final;
    return applyEdits(sent, a.from < b.from ? [a, b] : [b, a]);
}
