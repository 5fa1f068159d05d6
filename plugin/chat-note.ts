/**
 * Pure rules about a chat note's text (docs/notes.md) that the plugin needs before it talks to the daemon:
 * is this a chat note (shared/note/chat-note.ts), does it have something to send, where is the last reply,
 * how to set its agent.
 * Built on shared/note's dependency-free scanners so main.js does not bundle a YAML parser.
 */
import { AGENT_LINE, isChatNote as isChatNoteIn, noteAgent } from "../shared/note/chat-note";
import { findFrontmatter } from "../shared/note/frontmatter-bounds";
import { replyAnchor } from "../shared/note/failed-turn";
import { nothingToDo, scanTurns } from "../shared/note/turns";
import type { NothingToDoReason } from "../shared/note/types";

/** One edit of a text: replace [from, to) with `insert`. */
export interface TextEdit {
    from: number;
    to: number;
    insert: string;
}

export { noteAgent };

/**
 * The shared rule (shared/note/chat-note.ts) with the plugin's one chat folder. An empty chat folder
 * setting means "no folder", not "the whole vault": saving an ordinary note must never start a turn.
 */
export function isChatNote(path: string, text: string, chatFolder: string): boolean {
    return isChatNoteIn(path, text, chatFolder === "" ? [] : [chatFolder]);
}

/** Why the note has nothing to send, or null when its last turn is a user turn with text. */
export function nothingToSend(text: string): NothingToDoReason | null {
    const body = findFrontmatter(text)?.end ?? 0;
    return nothingToDo(scanTurns(text, body));
}

/**
 * The edit that removes the note's last reply, so it can be sent again: from the last assistant
 * heading to the end (the scaffold after it included). Null when the last turn with text is not a reply.
 */
export function removeLastReply(text: string): TextEdit | null {
    const turns = scanTurns(text, findFrontmatter(text)?.end ?? 0);
    for (let i = turns.length - 1; i >= 0; i--) {
        const turn = turns[i]!;
        if (turn.role === "user" && turn.text === "") continue;
        if (turn.role !== "assistant") return null;
        return { from: turn.start, to: text.length, insert: "" };
    }
    return null;
}

/** A YAML scalar for an agent name: bare when that reads back the same, quoted otherwise. */
function yamlScalar(value: string): string {
    return /^[A-Za-z0-9_][\w.-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) ? value : JSON.stringify(value);
}

/** The edit that sets `agent:` in the frontmatter: the line replaced, added, or a new block at the top. */
export function setAgentEdit(text: string, agent: string): TextEdit {
    const line = `agent: ${yamlScalar(agent)}`;
    const bounds = findFrontmatter(text);
    if (!bounds) return { from: 0, to: 0, insert: `---\n${line}\n---\n` };
    const yaml = text.slice(bounds.yamlStart, bounds.closeStart);
    const match = AGENT_LINE.exec(yaml);
    if (match) return { from: bounds.yamlStart + match.index, to: bounds.yamlStart + match.index + match[0].length, insert: line };
    return { from: bounds.closeStart, to: bounds.closeStart, insert: `${line}\n` };
}

/** The text of a new chat note, and where its first user turn starts (for the cursor). */
export function newChatNote(agent: string | null): { text: string; cursor: number } {
    const text = agent ? `---\nagent: ${yamlScalar(agent)}\n---\n` : "";
    return { text, cursor: text.length };
}

/** `Chats/Chat 2026-01-31 1405.md`, avoiding names `taken` reports as used (` 2`, ` 3`, …). */
export function newChatPath(folder: string, now: Date, taken: (path: string) => boolean): string {
    const pad = (n: number): string => String(n).padStart(2, "0");
    const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}${pad(now.getMinutes())}`;
    const base = `${folder === "" ? "" : `${folder}/`}Chat ${stamp}`;
    let path = `${base}.md`;
    for (let n = 2; taken(path); n++) path = `${base} ${n}.md`;
    return path;
}

/** Applies edits (sorted, not overlapping, all against `text`) to a string. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
    let out = "";
    let at = 0;
    for (const edit of edits) {
        out += text.slice(at, edit.from) + edit.insert;
        at = edit.to;
    }
    return out + text.slice(at);
}

/**
 * Where a running turn's reply is in `text`, an editor's copy of the note as the daemon's progress
 * writes left it (frontmatter keys added, so the daemon's own anchor does not count here): the
 * trailing assistant turn (the partial reply) when there is one, else where any reply goes. Null
 * when the note ends with a user turn that has nothing to send: the person wrote below the partial
 * reply, and a rejoin must not put the reply anywhere near their text.
 */
export function rejoinAnchor(text: string): number | null {
    const turns = scanTurns(text, findFrontmatter(text)?.end ?? 0);
    const last = turns.at(-1);
    if (last?.role === "assistant") return text.slice(0, last.start).trimEnd().length;
    return nothingToDo(turns) === null ? replyAnchor(text, turns) : null;
}
