/**
 * Fitting a conversation into the agent's window (docs/context.md): when the system prompt, the tools, the
 * kept history and the new turn would not fit `context_tokens − max_tokens`, the oldest messages are
 * left out of the request. Never the system prompt, the first user turn, or the new turn with its
 * context; whole turns go, so a tool call is never sent without its result. What is left out stays
 * in the database and the note.
 */
import { type CanonicalMessage, isToolResultMessage } from "../messages";
import { messageTokens } from "./tokens";

export interface Fitted {
    /** What the backend gets. */
    send: CanonicalMessage[];
    /** How many kept messages were left out. */
    leftOut: number;
}

const isPerson = (m: CanonicalMessage | undefined): boolean => m?.role === "user" && !isToolResultMessage(m);

/**
 * `kept`: the history before the new turn. `fixed`: tokens of the system prompt and the tools. The cut goes from the end of the first user
 * turn to the start of an assistant turn (so the request still alternates), the shortest cut that fits.
 */
export function fitHistory(kept: readonly CanonicalMessage[], newTurn: readonly CanonicalMessage[], fixed: number, budget: number): Fitted {
    const keptTokens = kept.map(messageTokens);
    let total = fixed;
    for (const n of keptTokens) total += n;
    for (const m of newTurn) total += messageTokens(m);
    if (total <= budget || kept.length === 0) return { send: [...kept, ...newTurn], leftOut: 0 };
    let head = 0;
    while (head < kept.length && isPerson(kept[head])) head++;
    if (head === 0) head = 1; // a note that starts with an assistant turn keeps that first message
    let dropped = 0;
    let cut = kept.length;
    for (let j = head; j < kept.length; j++) {
        // kept[j] can start what is sent after the head: an assistant turn after a person's message.
        if (j > head && kept[j]!.role === "assistant" && isPerson(kept[j - 1]) && total - dropped <= budget) {
            cut = j;
            break;
        }
        dropped += keptTokens[j]!;
    }
    return { send: [...kept.slice(0, head), ...kept.slice(cut), ...newTurn], leftOut: cut - head };
}
