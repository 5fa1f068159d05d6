/**
 * Lodge's turns in ACP's terms (docs/frontends.md): a prompt's content blocks as the person's message, the
 * daemon's turn events as `session/update`s, and a stored conversation replayed for `session/load`.
 */
import type * as Acp from "@agentclientprotocol/sdk";
import type { HistoryMessage } from "../../shared/protocol/api";
import type { FrontendStreamEvent } from "../../shared/protocol/frontends";

const text = (t: string): Acp.ContentBlock => ({ type: "text", text: t });

/** The prompt as one message: its text, then each resource as context the person attached. */
export function promptText(prompt: readonly Acp.ContentBlock[]): string {
    const parts: string[] = [];
    for (const block of prompt) {
        if (block.type === "text") parts.push(block.text);
        else if (block.type === "resource" && "text" in block.resource)
            parts.push(`<context uri="${block.resource.uri}">\n${block.resource.text}\n</context>`);
        else if (block.type === "resource_link") parts.push(`[${block.name}](${block.uri})`);
    }
    return parts.join("\n\n");
}

function toolResultUpdate(id: string, content: string, isError: boolean): Acp.SessionUpdate {
    return {
        sessionUpdate: "tool_call_update",
        toolCallId: id,
        status: isError ? "failed" : "completed",
        content: [{ type: "content", content: text(content) }],
    };
}

/** A turn event of the daemon as the update a client shows; null for the ones it has no update for. */
export function updateOf(event: FrontendStreamEvent): Acp.SessionUpdate | null {
    switch (event.event) {
        case "text":
            return { sessionUpdate: "agent_message_chunk", content: text(event.data.text) };
        case "thinking":
            return { sessionUpdate: "agent_thought_chunk", content: text(event.data.text) };
        case "tool_call":
            return {
                sessionUpdate: "tool_call",
                toolCallId: event.data.id,
                title: event.data.name,
                kind: "other",
                status: "in_progress",
                rawInput: event.data.input,
            };
        case "tool_result":
            return toolResultUpdate(event.data.id, event.data.content, event.data.is_error);
        default:
            return null;
    }
}

/** A stored conversation as the updates that show it again: the person's text, replies, thinking, tool calls. */
export function replayUpdates(messages: readonly HistoryMessage[]): Acp.SessionUpdate[] {
    const out: Acp.SessionUpdate[] = [];
    for (const message of messages) {
        if (message.role === "user") {
            // The person's text is a user message's first text block; later ones are context Lodge added.
            const first = message.content.find((b) => b.type === "text");
            if (first && typeof first.text === "string") out.push({ sessionUpdate: "user_message_chunk", content: text(first.text) });
            for (const b of message.content)
                if (b.type === "tool_result")
                    out.push(
                        toolResultUpdate(
                            String(b.tool_use_id),
                            typeof b.content === "string" ? b.content : JSON.stringify(b.content),
                            b.is_error === true,
                        ),
                    );
            continue;
        }
        for (const b of message.content) {
            if (b.type === "text" && typeof b.text === "string") out.push({ sessionUpdate: "agent_message_chunk", content: text(b.text) });
            else if (b.type === "thinking" && typeof b.thinking === "string")
                out.push({ sessionUpdate: "agent_thought_chunk", content: text(b.thinking) });
            else if (b.type === "tool_use")
                out.push({
                    sessionUpdate: "tool_call",
                    toolCallId: String(b.id),
                    title: String(b.name),
                    kind: "other",
                    status: "completed",
                    rawInput: b.input,
                });
        }
    }
    return out;
}
