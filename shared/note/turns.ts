/**
 * Finds the turns of a chat note (docs/notes.md): one pass over the lines, tracking fenced code so a role
 * heading inside a code block stays text. Dependency-free: the plugin uses it to decide whether a
 * saved note has anything to send.
 */
import { dropComments } from "./comments";
import { type Fence, isCalloutHeader, isEndingCallout, nextFence, roleOfHeading, unescapeReplyLine } from "./markdown-lines";
import type { ConversationTurn, NothingToDoReason, NoteTurn, Role } from "./types";

const HASH = 35;
const BACKTICK = 96;
const TILDE = 126;
const SPACE = 32;

interface Heading {
    role: Role;
    start: number;
    bodyStart: number;
}

/** The turns of the note body that starts at `from` (after the frontmatter). */
export function scanTurns(text: string, from: number): NoteTurn[] {
    const headings: Heading[] = [];
    let fence: Fence | null = null;
    let lineStart = from;
    const length = text.length;
    while (lineStart < length) {
        let lineEnd = text.indexOf("\n", lineStart);
        if (lineEnd < 0) lineEnd = length;
        // Only a line starting with '#', '`', '~' or a space can be a heading, open or close a fence:
        // every other line is skipped without being cut out of the note.
        const c = text.charCodeAt(lineStart);
        if (c === HASH || c === BACKTICK || c === TILDE || c === SPACE) {
            const line = text.slice(lineStart, lineEnd);
            if (!fence) {
                const role = roleOfHeading(line);
                if (role) headings.push({ role, start: lineStart, bodyStart: Math.min(lineEnd + 1, length) });
            }
            fence = nextFence(line, fence);
        }
        lineStart = lineEnd + 1;
    }
    const turns: NoteTurn[] = [];
    const firstHeading = headings[0]?.start ?? length;
    // Comments (`%% … %%`) are dropped from every turn's text: they are never sent to a model.
    const preface = dropComments(text.slice(from, firstHeading)).trim();
    if (preface !== "") turns.push({ role: "user", text: preface, start: from, end: firstHeading });
    headings.forEach((h, i) => {
        const end = headings[i + 1]?.start ?? length;
        const raw = text.slice(h.bodyStart, end);
        if (h.role === "user") {
            turns.push({ role: "user", text: dropComments(raw).trim(), start: h.start, end });
            return;
        }
        const own = personAfterEnding(raw);
        if (own < 0) {
            turns.push({ role: "assistant", text: dropComments(readReply(raw)).trim(), start: h.start, end });
            return;
        }
        const at = h.bodyStart + own;
        turns.push({ role: "assistant", text: dropComments(readReply(raw.slice(0, own))).trim(), start: h.start, end: at });
        turns.push({ role: "user", text: dropComments(raw.slice(own)).trim(), start: at, end });
    });
    return turns;
}

const MAY_END = /\[!(?:error|warning)\]/i;

/**
 * Where the person's own text starts in an assistant turn, or -1. Lodge ends a reply with its error
 * or stopped callout and writes nothing of the reply after it (a reply that failed before any text
 * has no scaffold either), so text after that callout was typed by the person: it is a user turn.
 */
function personAfterEnding(raw: string): number {
    if (!MAY_END.test(raw)) return -1;
    let fence: Fence | null = null;
    let ended = false;
    let inCallout = false;
    let at = 0;
    for (const line of raw.split("\n")) {
        const lineStart = at;
        at += line.length + 1;
        if (ended) {
            if ((inCallout && line.startsWith(">")) || line.trim() === "") continue;
            inCallout = isCalloutHeader(line);
            if (!inCallout) return lineStart;
            continue;
        }
        if (!fence && isEndingCallout(line)) {
            ended = true;
            inCallout = true;
            continue;
        }
        fence = nextFence(line, fence);
    }
    return -1;
}

/**
 * An assistant turn's own text: Lodge's callouts removed (the history keeps what they show) and
 * escaped role lines read back without their backslash.
 */
export function readReply(raw: string): string {
    if (!raw.includes("> [!") && !raw.includes(">[!") && !raw.includes("\\")) return raw.trim();
    const out: string[] = [];
    let fence: Fence | null = null;
    let inCallout = false;
    for (const line of raw.split("\n")) {
        if (!fence) {
            if (inCallout && line.startsWith(">")) continue;
            inCallout = isCalloutHeader(line);
            if (inCallout) continue;
            out.push(unescapeReplyLine(line));
        } else {
            out.push(line);
        }
        fence = nextFence(line, fence);
    }
    return out.join("\n").trim();
}

/**
 * The turns a backend is sent: absent turns (blank, or an assistant turn that was only callouts)
 * dropped and consecutive turns of one role joined, so a retried turn does not repeat a role.
 */
export function conversationTurns(turns: readonly NoteTurn[]): ConversationTurn[] {
    const out: ConversationTurn[] = [];
    for (const turn of turns) {
        if (turn.text === "") continue;
        const last = out[out.length - 1];
        if (last && last.role === turn.role) last.text = `${last.text}\n\n${turn.text}`;
        else out.push({ role: turn.role, text: turn.text });
    }
    return out;
}

/** Why the note needs no reply, or null when its last turn is a user turn with text. */
export function nothingToDo(turns: readonly NoteTurn[]): NothingToDoReason | null {
    let lastText: NoteTurn | undefined;
    for (let i = turns.length - 1; i >= 0; i--) {
        if (turns[i]!.text !== "") {
            lastText = turns[i];
            break;
        }
    }
    const blankUserAfter = turns.some((t) => t.role === "user" && t.text === "" && (!lastText || t.start > lastText.start));
    if (!lastText) return blankUserAfter ? "blank_user_turn" : "empty";
    if (lastText.role === "user") return null;
    return blankUserAfter ? "blank_user_turn" : "last_turn_assistant";
}
