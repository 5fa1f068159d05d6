/**
 * Comparing a note's turns with the stored history (docs/notes.md). The note is what the person sees and
 * edits; the database holds the real conversation, tool calls included. If the note only added
 * turns, the stored history goes on as is; if an earlier turn was edited or deleted, the history
 * forks at the first difference and the earlier branch is kept.
 */
import { dropComments } from "../../shared/note/comments";
import { renderReplyText } from "../../shared/note/reply-builder";
import { readReply } from "../../shared/note/turns";
import type { ConversationTurn } from "../../shared/note/types";
import { assistantText, type CanonicalMessage, isToolResultMessage, shownTexts, userText } from "../messages";

/** A turn of the stored history as the note would show it, with the indexes of its messages. */
interface StoredTurn extends ConversationTurn {
    start: number;
    /** Index just past its last message. */
    end: number;
}

export interface HistoryPlan {
    /** Stored messages kept as they are (the prefix the note still agrees with). */
    keep: number;
    /** Set when the note disagrees with the stored history: the index of the first differing message. */
    forkedAt?: number;
    /** The note's turns after the kept prefix, as messages. */
    pending: CanonicalMessage[];
}

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0;

/** Equal once every run of whitespace counts as one space and the ends are trimmed; allocates nothing. */
export function sameText(a: string, b: string): boolean {
    if (a === b) return true; // the usual case, and a native comparison
    let i = 0;
    let j = 0;
    for (;;) {
        let spaceA = false;
        let spaceB = false;
        while (i < a.length && isSpace(a.charCodeAt(i))) {
            i++;
            spaceA = true;
        }
        while (j < b.length && isSpace(b.charCodeAt(j))) {
            j++;
            spaceB = true;
        }
        if (i === a.length || j === b.length) return i === a.length && j === b.length;
        // Inside the text a run of whitespace must meet a run of whitespace (at the start, none needed).
        if (spaceA !== spaceB && i > 0 && j > 0) return false;
        if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
        i++;
        j++;
    }
}

/** Replies the renderer would change (escapes, closed fences) go through it; most need nothing. */
const NEEDS_RENDERING = /(^|\n)[ \t]*[#\\>`~]/;

function shownReply(texts: string[]): string {
    const joined = texts.join("\n\n");
    return NEEDS_RENDERING.test(joined) ? readReply(renderReplyText(texts)) : joined.trim();
}

/** The stored history grouped into the turns a note shows: tool rounds belong to the assistant's turn. */
export function storedTurns(messages: readonly CanonicalMessage[]): StoredTurn[] {
    const turns: Array<StoredTurn & { texts: string[] }> = [];
    messages.forEach((message, index) => {
        const role = message.role === "user" && !isToolResultMessage(message) ? "user" : "assistant";
        const last = turns[turns.length - 1];
        if (last?.role === role) {
            last.texts.push(...shownTexts(message));
            last.end = index + 1;
        } else {
            turns.push({ role, text: "", texts: shownTexts(message), start: index, end: index + 1 });
        }
    });
    const out: StoredTurn[] = [];
    for (const t of turns) {
        // The note shows an assistant turn through the renderer (escapes, closed fences), so compare that,
        // without comments, as the note's turns are read.
        const text = dropComments(t.role === "user" ? t.texts.join("\n\n") : shownReply(t.texts)).trim();
        if (text.trim() === "") continue;
        const last = out[out.length - 1];
        if (last?.role === t.role) {
            last.text += `\n\n${text}`;
            last.end = t.end;
        } else {
            out.push({ role: t.role, text, start: t.start, end: t.end });
        }
    }
    return out;
}

export function planHistory(stored: readonly CanonicalMessage[], note: readonly ConversationTurn[]): HistoryPlan {
    const visible = storedTurns(stored);
    let k = 0;
    while (k < visible.length && k < note.length && visible[k]!.role === note[k]!.role && sameText(visible[k]!.text, note[k]!.text)) k++;
    const toMessage = (t: ConversationTurn): CanonicalMessage => (t.role === "user" ? userText(t.text) : assistantText(t.text));
    let keep: number;
    if (k === note.length) {
        // The note agrees with the history up to its last (user) turn and stops there: the person
        // removed what followed, to get another reply. Everything after that turn is forked off.
        keep = visible[k - 1]?.end ?? 0;
    } else {
        keep = k === visible.length ? stored.length : visible[k]!.start;
    }
    const pending = note.slice(k).map(toMessage);
    const plan: HistoryPlan = { keep, pending };
    if (keep < stored.length) plan.forkedAt = keep;
    return plan;
}
