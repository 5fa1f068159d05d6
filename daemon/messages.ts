/**
 * The canonical history: messages in Anthropic's shape, whatever backend produced them (docs/notes.md).
 * Tool calls, tool results and thinking are kept so a later turn can send them back.
 */
export type ContentBlock =
    | { type: "text"; text: string }
    | { type: "thinking"; thinking: string; signature?: string }
    | { type: "tool_use"; id: string; name: string; input: unknown }
    | { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean }
    | ImageBlock;

/**
 * An image of the vault sent with a user message (docs/context.md). The history stores where it is, not its
 * bytes: `data` (base64) is filled in from the vault for the request only (daemon/context/images.ts).
 */
export type ImageBlock = {
    type: "image";
    /** Vault-relative path. */
    path: string;
    media_type: "image/png" | "image/jpeg" | "image/gif" | "image/webp";
    data?: string;
};

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

/**
 * Where the person's text is in a user message: its first text block. Text blocks after it are
 * context Lodge added to the message (a skill's body, docs/memory.md), which the note never shows. -1 when
 * the message has no text (tool results).
 */
export function personTextIndex(message: CanonicalMessage): number {
    return message.content.findIndex((b) => b.type === "text");
}

/** The text of a message as the note shows it: for a user message the person's text alone. */
export function shownTexts(message: CanonicalMessage): string[] {
    if (message.role === "assistant") return textsOf(message);
    const block = message.content[personTextIndex(message)];
    return block?.type === "text" && block.text.trim() !== "" ? [block.text] : [];
}

/** A user message that only carries tool results belongs to the assistant's turn, not the person's. */
export function isToolResultMessage(message: CanonicalMessage): boolean {
    return message.role === "user" && message.content.length > 0 && message.content.every((b) => b.type === "tool_result");
}

/**
 * Gives every tool call a result. A turn stopped between a model's tool call and its result would
 * otherwise leave a history the APIs refuse on the next turn (a tool_use must be answered by the
 * very next message).
 */
export function answerOpenToolCalls(messages: readonly CanonicalMessage[]): CanonicalMessage[] {
    const out: CanonicalMessage[] = [];
    messages.forEach((message, i) => {
        out.push(message);
        if (message.role !== "assistant") return;
        const calls = message.content.flatMap((b) => (b.type === "tool_use" ? [b.id] : []));
        if (calls.length === 0) return;
        const next = messages[i + 1];
        const answered = new Set(
            next && isToolResultMessage(next) ? next.content.flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id] : [])) : [],
        );
        const missing = calls.filter((id) => !answered.has(id));
        if (missing.length === 0) return;
        out.push({
            role: "user",
            content: missing.map((id) => ({
                type: "tool_result" as const,
                tool_use_id: id,
                content: "the turn was stopped before this tool finished",
                is_error: true,
            })),
        });
    });
    // Merge a result message inserted just before an existing one, so there is one message per round.
    for (let i = out.length - 2; i >= 0; i--) {
        const a = out[i]!;
        const b = out[i + 1]!;
        if (isToolResultMessage(a) && isToolResultMessage(b)) out.splice(i, 2, { role: "user", content: [...b.content, ...a.content] });
    }
    return out;
}
