// The OpenAI Chat Completions wire format for the fake LLM server: `data: {chat.completion.chunk}\n\n` frames
// ending in `data: [DONE]`, one chat.completion JSON when not streaming, and the API's error envelope. Thinking
// goes out as `reasoning_content` deltas, the field vLLM, DeepSeek and Ollama's compatible endpoints use.
import type { ReplyPlan, WireFormat, WireStream } from "./fake-llm-types";

interface Part {
    type?: string;
    text?: unknown;
}
interface Message {
    role?: string;
    content?: unknown;
}

/** Content is a string or a list of parts; only the text parts carry something to echo. */
function contentText(content: unknown): string {
    if (typeof content === "string") return content;
    if (!Array.isArray(content)) return "";
    return (content as Part[])
        .filter((p) => p.type === "text" && typeof p.text === "string")
        .map((p) => p.text as string)
        .join("\n");
}

function defaultText(body: unknown): string {
    const messages = ((body as { messages?: unknown } | null)?.messages ?? []) as Message[];
    const list = Array.isArray(messages) ? messages : [];
    const last = list.at(-1);
    if (last?.role === "tool") return `FAKE tool result: ${contentText(last.content)}`;
    return `FAKE[n=${list.length}] you said: ${contentText(list.filter((m) => m.role === "user").at(-1)?.content)}`;
}

function finishReason(plan: ReplyPlan): string {
    return plan.stopReason ?? (plan.toolCalls.length > 0 ? "tool_calls" : "stop");
}

function usage(plan: ReplyPlan): Record<string, number> {
    const { input_tokens, output_tokens } = plan.usage;
    return { prompt_tokens: input_tokens, completion_tokens: output_tokens, total_tokens: input_tokens + output_tokens };
}

function complete(plan: ReplyPlan): unknown {
    const message: Record<string, unknown> = {
        role: "assistant",
        content: plan.hasText ? plan.textChunks.join("") : null,
        refusal: null,
    };
    if (plan.thinkingChunks) message.reasoning_content = plan.thinkingChunks.join("");
    if (plan.toolCalls.length > 0) {
        message.tool_calls = plan.toolCalls.map((t) => ({
            id: t.id,
            type: "function",
            function: { name: t.name, arguments: t.argChunks.join("") },
        }));
    }
    return {
        id: plan.id,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: plan.model,
        system_fingerprint: "fp_fake",
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(plan) }],
        usage: usage(plan),
    };
}

function stream(plan: ReplyPlan): WireStream {
    const created = Math.floor(Date.now() / 1000);
    const options = (plan.requestBody as { stream_options?: { include_usage?: unknown } } | null)?.stream_options;
    const includeUsage = options?.include_usage === true;
    // With include_usage every chunk carries `usage: null` and one last chunk with no choices carries the totals.
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string => {
        const body = {
            id: plan.id,
            object: "chat.completion.chunk",
            created,
            model: plan.model,
            system_fingerprint: "fp_fake",
            choices,
            ...(includeUsage ? { usage: null } : {}),
            ...extra,
        };
        return `data: ${JSON.stringify(body)}\n\n`;
    };
    const delta = (d: Record<string, unknown>, finish: string | null = null): string =>
        chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
    return {
        open() {
            let out = delta({ role: "assistant", content: "", refusal: null });
            for (const piece of plan.thinkingChunks ?? []) out += delta({ reasoning_content: piece });
            return out;
        },
        text(piece) {
            return delta({ content: piece });
        },
        close() {
            let out = "";
            plan.toolCalls.forEach((t, index) => {
                out += delta({ tool_calls: [{ index, id: t.id, type: "function", function: { name: t.name, arguments: "" } }] });
                for (const piece of t.argChunks) out += delta({ tool_calls: [{ index, function: { arguments: piece } }] });
            });
            out += delta({}, finishReason(plan));
            if (includeUsage) out += chunk([], { usage: usage(plan) });
            return out + "data: [DONE]\n\n";
        },
        streamError(message) {
            return `data: ${JSON.stringify({ error: { message, type: "server_error", param: null, code: null } })}\n\n`;
        },
        garbage() {
            // A bare non-SSE line would be skipped by the SDK's parser; a data line of broken JSON is what a
            // truncating proxy produces, and it is what a client must reject.
            return 'data: {"id":"chatcmpl-garbage",garbage}}{{\n\n';
        },
        keepAlive() {
            // An SSE comment, as OpenRouter and proxies send while a model is slow; the SDK skips it.
            return ": keep-alive\n\n";
        },
    };
}

export const openaiWire: WireFormat = {
    messageIdPrefix: "chatcmpl-fake",
    toolIdPrefix: "call_fake",
    requestIdHeader: "x-request-id",
    defaultText,
    errorBody(status, message) {
        const type = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
        const code = status === 429 ? "rate_limit_exceeded" : status === 401 ? "invalid_api_key" : null;
        return { error: { message: message ?? `Fake error ${status}`, type, param: null, code } };
    },
    complete,
    stream,
};
