/**
 * What a turn says to the CLI: the person's new message, and, when no stored session has seen the
 * earlier turns, those turns as a plain-text preamble (the gap-fill AutoGPT's copilot uses). Also the
 * fingerprint that tells whether a stored session has seen exactly the history a turn continues.
 */
import { createHash } from "node:crypto";
import type { CanonicalMessage } from "../../messages";

/** Tool results are the bulk of a long history; the preamble keeps the start of each. */
const TOOL_RESULT_CHARS = 2000;

/** The text of the person's new message: the last message of the history. */
export function newMessageText(history: readonly CanonicalMessage[]): string {
    const last = history[history.length - 1];
    if (!last || last.role !== "user") return "";
    return last.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n\n");
}

/**
 * A fingerprint of the conversation a session has seen: roles, texts and tool ids, the parts that
 * survive a round trip through the database and the note unchanged.
 */
export function historyFingerprint(messages: readonly CanonicalMessage[]): string {
    const hash = createHash("sha256");
    for (const m of messages) {
        hash.update(`\u0000${m.role}`);
        for (const b of m.content) {
            if (b.type === "text") hash.update(`\u0001t${b.text.trim()}`);
            else if (b.type === "tool_use") hash.update(`\u0001u${b.id}`);
            else if (b.type === "tool_result") hash.update(`\u0001r${b.tool_use_id}`);
        }
    }
    return hash.digest("hex");
}

function clip(text: string, max: number): string {
    return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** The earlier turns as text the model reads before the new message. */
export function promptWithHistory(earlier: readonly CanonicalMessage[], message: string): string {
    if (earlier.length === 0) return message;
    const lines: string[] = [];
    for (const m of earlier) {
        for (const b of m.content) {
            if (b.type === "text" && b.text.trim() !== "") lines.push(`${m.role === "user" ? "User" : "You responded"}: ${b.text}`);
            else if (b.type === "tool_use") lines.push(`You called tool: ${b.name} ${JSON.stringify(b.input)}`);
            else if (b.type === "tool_result")
                lines.push(`Tool result${b.is_error ? " (error)" : ""}: ${clip(b.content, TOOL_RESULT_CHARS)}`);
        }
    }
    return `<conversation_history>\n${lines.join("\n")}\n</conversation_history>\n\nNow, the user says:\n${message}`;
}
