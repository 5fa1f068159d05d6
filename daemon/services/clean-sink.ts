/**
 * The one place a turn's text is cleaned as it arrives (issue 9; the rules are shared/note/sanitize.ts):
 * the reply's deltas, the note and the stored history then hold the same text. Thinking is cleaned for
 * the note only: the history keeps it as the API sent it, since signed thinking goes back verbatim.
 */
import { cleanText, TextCleaner } from "../../shared/note/sanitize";
import type { TurnSink } from "../backends/types";

export function cleanSink(sink: TurnSink): TurnSink {
    const text = new TextCleaner();
    const thinking = new TextCleaner();
    const pass = (cleaner: TextCleaner, to: (chunk: string) => void, chunk: string): void => {
        const clean = cleaner.push(chunk);
        if (clean !== "") to(clean);
    };
    return {
        text: (chunk) => pass(text, (clean) => sink.text(clean), chunk),
        thinking: (chunk) => pass(thinking, (clean) => sink.thinking(clean), chunk),
        toolCall: (call) => sink.toolCall(call),
        toolResult: (result) => sink.toolResult(result),
        usage: (usage) => sink.usage?.(usage),
        message: (message) => {
            // A message ends its text: what was held back (a final `\r`, half a pair) is let go first.
            const restText = text.end();
            if (restText !== "") sink.text(restText);
            const restThinking = thinking.end();
            if (restThinking !== "") sink.thinking(restThinking);
            sink.message({
                ...message,
                content: message.content.map((block) => (block.type === "text" ? { ...block, text: cleanText(block.text) } : block)),
            });
        },
    };
}
