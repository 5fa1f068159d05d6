/**
 * The canonical history: messages in Anthropic's shape, whatever backend produced them (SPEC §4).
 * Tool calls, tool results and thinking are kept so a later turn can send them back.
 */
export type ContentBlock =
    | { type: "text"; text: string }
    | { type: "thinking"; thinking: string; signature?: string }
    | { type: "tool_use"; id: string; name: string; input: unknown }
    | { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean };

export interface CanonicalMessage {
    role: "user" | "assistant";
    content: ContentBlock[];
}

export function userText(text: string): CanonicalMessage {
    return { role: "user", content: [{ type: "text", text }] };
}

export function assistantText(text: string): CanonicalMessage {
    return { role: "assistant", content: [{ type: "text", text }] };
}

/** The text blocks of a message, in order. */
export function textsOf(message: CanonicalMessage): string[] {
    const out: string[] = [];
    for (const block of message.content) if (block.type === "text" && block.text.trim() !== "") out.push(block.text);
    return out;
}

/** A user message that only carries tool results belongs to the assistant's turn, not the person's. */
export function isToolResultMessage(message: CanonicalMessage): boolean {
    return message.role === "user" && message.content.length > 0 && message.content.every((b) => b.type === "tool_result");
}
