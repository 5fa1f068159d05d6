/**
 * What the backend gives a turn, kept three ways as it arrives: the rendered reply (ReplyBuilder, whose
 * deltas the stream sends), the messages the history stores, and the token usage. A frontend's tap sees
 * the raw output first (docs/frontends.md).
 */
import { ReplyBuilder } from "../../shared/note/reply-builder";
import { NO_USAGE, type Usage } from "../../shared/protocol/events";
import type { ToolCall, TurnSink } from "../backends/types";
import type { CanonicalMessage } from "../messages";
import { cleanSink } from "./clean-sink";
import { toolHint, toolSummary } from "./tool-callouts";

/** What a frontend that is not the note sees of a turn: raw text, thinking and tool calls. */
export type TurnTap = Partial<Pick<TurnSink, "text" | "thinking" | "toolCall" | "toolResult">>;

export class TurnOutput {
    readonly reply: ReplyBuilder;
    readonly messages: CanonicalMessage[] = [];
    usage: Usage | null = null;
    readonly sink: TurnSink;
    /** Text of the message under way: kept as a message of its own when the backend stops inside it. */
    private partialText = "";
    private readonly toolCalls = new Map<string, { handle: number; call: ToolCall }>();

    /** `changed`: the reply changed (its delta is due). */
    constructor(crlf: boolean, tap: TurnTap | undefined, changed: () => void) {
        this.reply = new ReplyBuilder({ crlf });
        const { reply } = this;
        this.sink = cleanSink({
            text: (chunk) => {
                tap?.text?.(chunk);
                this.partialText += chunk;
                reply.text(chunk);
                changed();
            },
            thinking: (chunk) => {
                tap?.thinking?.(chunk);
                reply.thinking(chunk);
                changed();
            },
            toolCall: (call) => {
                tap?.toolCall?.(call);
                this.toolCalls.set(call.id, { handle: reply.tool(call.name, toolHint(call), "running"), call });
                changed();
            },
            toolResult: (result) => {
                tap?.toolResult?.(result);
                const open = this.toolCalls.get(result.tool_use_id);
                if (open) reply.toolSummary(open.handle, toolSummary(open.call, result));
                changed();
            },
            message: (message) => {
                this.messages.push(message);
                this.partialText = "";
            },
            usage: (u) => {
                this.usage = addUsage(this.usage ?? { ...NO_USAGE }, u);
            },
        });
    }

    /** The backend is done (or stopped, or failed): the unfinished message's text becomes a message. */
    close(): void {
        if (this.partialText.trim() !== "") this.messages.push({ role: "assistant", content: [{ type: "text", text: this.partialText }] });
        this.partialText = "";
    }

    /** Whether an assistant message has text: a turn without any leaves the history alone. */
    hasText(): boolean {
        return this.messages.some((m) => m.role === "assistant" && m.content.some((b) => b.type === "text" && b.text.trim() !== ""));
    }
}

function addUsage(sum: Usage, u: Partial<Usage>): Usage {
    return {
        input_tokens: sum.input_tokens + (u.input_tokens ?? 0),
        output_tokens: sum.output_tokens + (u.output_tokens ?? 0),
        cache_read_tokens: sum.cache_read_tokens + (u.cache_read_tokens ?? 0),
        cache_write_tokens: sum.cache_write_tokens + (u.cache_write_tokens ?? 0),
    };
}
