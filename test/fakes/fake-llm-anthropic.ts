// The Anthropic Messages API wire format for the fake LLM server: `event: X\ndata: {json}\n\n` frames in the
// order the API sends them (message_start, content_block_start, ping, deltas, content_block_stop, message_delta,
// message_stop), one Message JSON when not streaming, and the API's error envelope.
import type { ReplyPlan, WireFormat, WireStream } from "./fake-llm-types";

interface Block {
    type?: string;
    text?: unknown;
    content?: unknown;
}
interface Message {
    role?: string;
    content?: unknown;
}

const ERROR_TYPES: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
};

const ERROR_MESSAGES: Record<string, string> = {
    overloaded_error: "Overloaded",
    rate_limit_error: "Number of request tokens has exceeded your per-minute rate limit",
    api_error: "Internal server error",
};

function frame(data: { type: string } & Record<string, unknown>): string {
    return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** tool_result content is a string or a list of blocks; only the text blocks carry a readable result. */
function resultText(content: unknown): string {
    if (typeof content === "string") return content;
    if (!Array.isArray(content)) return "";
    return (content as Block[])
        .filter((b) => b.type === "text" && typeof b.text === "string")
        .map((b) => b.text as string)
        .join("\n");
}

function defaultText(body: unknown): string {
    const messages = ((body as { messages?: unknown } | null)?.messages ?? []) as Message[];
    const list = Array.isArray(messages) ? messages : [];
    const content = list.filter((m) => m.role === "user").at(-1)?.content;
    let said = typeof content === "string" ? content : "";
    if (Array.isArray(content)) {
        const blocks = content as Block[];
        const result = blocks.filter((b) => b.type === "tool_result").at(-1);
        if (result) return `FAKE tool result: ${resultText(result.content)}`;
        const text = blocks.filter((b) => b.type === "text").at(-1)?.text;
        said = typeof text === "string" ? text : "";
    }
    return `FAKE[n=${list.length}] you said: ${said}`;
}

function stopReason(plan: ReplyPlan): string {
    return plan.stopReason ?? (plan.toolCalls.length > 0 ? "tool_use" : "end_turn");
}

function complete(plan: ReplyPlan): unknown {
    const content: unknown[] = [];
    if (plan.thinkingChunks) content.push({ type: "thinking", thinking: plan.thinkingChunks.join(""), signature: plan.signature });
    if (plan.hasText) content.push({ type: "text", text: plan.textChunks.join("") });
    for (const t of plan.toolCalls) content.push({ type: "tool_use", id: t.id, name: t.name, input: t.input ?? {} });
    return {
        id: plan.id,
        type: "message",
        role: "assistant",
        model: plan.model,
        content,
        stop_reason: stopReason(plan),
        stop_sequence: null,
        usage: { ...plan.usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
}

function stream(plan: ReplyPlan): WireStream {
    let index = -1;
    let pinged = false;
    // The API pings once, right after the first content block opens.
    const startBlock = (block: Record<string, unknown>): string => {
        index++;
        const start = frame({ type: "content_block_start", index, content_block: block });
        if (pinged) return start;
        pinged = true;
        return start + frame({ type: "ping" });
    };
    const delta = (d: Record<string, unknown>): string => frame({ type: "content_block_delta", index, delta: d });
    const stopBlock = (): string => frame({ type: "content_block_stop", index });
    let textIndex = -1;
    return {
        open() {
            let out = frame({
                type: "message_start",
                message: {
                    id: plan.id,
                    type: "message",
                    role: "assistant",
                    model: plan.model,
                    content: [],
                    stop_reason: null,
                    stop_sequence: null,
                    usage: {
                        input_tokens: plan.usage.input_tokens,
                        cache_creation_input_tokens: 0,
                        cache_read_input_tokens: 0,
                        output_tokens: 1,
                    },
                },
            });
            if (plan.thinkingChunks) {
                out += startBlock({ type: "thinking", thinking: "", signature: "" });
                for (const piece of plan.thinkingChunks) out += delta({ type: "thinking_delta", thinking: piece });
                out += delta({ type: "signature_delta", signature: plan.signature }) + stopBlock();
            }
            if (plan.hasText) {
                out += startBlock({ type: "text", text: "" });
                textIndex = index;
            }
            return out;
        },
        text(chunk) {
            return frame({ type: "content_block_delta", index: textIndex, delta: { type: "text_delta", text: chunk } });
        },
        close() {
            let out = plan.hasText ? stopBlock() : "";
            for (const t of plan.toolCalls) {
                out += startBlock({ type: "tool_use", id: t.id, name: t.name, input: {} });
                for (const piece of ["", ...t.argChunks]) out += delta({ type: "input_json_delta", partial_json: piece });
                out += stopBlock();
            }
            if (!pinged) out += frame({ type: "ping" });
            out += frame({
                type: "message_delta",
                delta: { stop_reason: stopReason(plan), stop_sequence: null },
                usage: {
                    input_tokens: plan.usage.input_tokens,
                    cache_creation_input_tokens: 0,
                    cache_read_input_tokens: 0,
                    output_tokens: plan.usage.output_tokens,
                },
            });
            return out + frame({ type: "message_stop" });
        },
        streamError(message) {
            return frame({ type: "error", error: { type: "overloaded_error", message } });
        },
        garbage() {
            // A bare non-SSE line would be skipped by the SDK's parser; a named event with broken JSON is what
            // a truncating proxy produces, and it is what a client must reject.
            return 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,garbage}}{{\n\n';
        },
        keepAlive() {
            return frame({ type: "ping" });
        },
    };
}

export const anthropicWire: WireFormat = {
    messageIdPrefix: "msg_fake",
    toolIdPrefix: "toolu_fake",
    requestIdHeader: "request-id",
    defaultText,
    errorBody(status, message, requestId) {
        const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
        return {
            type: "error",
            error: { type, message: message ?? ERROR_MESSAGES[type] ?? `Fake error ${status}` },
            request_id: requestId,
        };
    },
    complete,
    stream,
};
