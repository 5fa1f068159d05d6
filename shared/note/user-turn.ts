/**
 * Writing turns that came from another frontend (docs/frontends.md) into a chat note: the person's text goes
 * in as the note would show it — role lines escaped and an open code fence closed, as a reply's are —
 * so a message can never start a turn of its own or swallow the rest of the note.
 */
import { dropComments } from "./comments";
import { REPLY_HEAD, SCAFFOLD, renderReplyText } from "./reply-builder";
import { scanTurns } from "./turns";
import { findFrontmatter } from "./frontmatter-bounds";
import type { ConversationTurn } from "./types";

/** A message's text as its turn in a note holds it. */
export function noteText(text: string): string {
    return renderReplyText([text]);
}

/** The text the note's turn reads back as (what the history stores and compares). */
export function readBackText(text: string): string {
    return dropComments(noteText(text)).trim();
}

/** A note body holding `turns` in order, the last one ending the note with a line break. */
export function renderTurns(turns: readonly ConversationTurn[]): string {
    let body = "";
    turns.forEach((turn, i) => {
        const text = noteText(turn.text);
        if (i === 0 && turn.role === "user") body = text;
        else body += (turn.role === "user" ? SCAFFOLD : REPLY_HEAD) + text;
    });
    return `${body.replace(/^\s+/, "")}\n`;
}

/**
 * `text` with `message` added as the person's new turn: into the scaffold when the note ends with
 * one (a blank `### User:`), else under a new user heading.
 */
export function appendUserTurn(text: string, message: string): string {
    const body = noteText(message);
    const from = findFrontmatter(text)?.end ?? 0;
    const turns = scanTurns(text, from);
    const last = turns[turns.length - 1];
    const head = text.trimEnd();
    // Only frontmatter (or nothing): the message is the first turn.
    if (!last) return head === "" ? `${body}\n` : `${head}\n${body}\n`;
    if (last.role === "user" && last.text === "" && /#\s*User:?$/i.test(head)) return `${head}\n\n${body}\n`;
    return `${head}${SCAFFOLD}${body}\n`;
}
