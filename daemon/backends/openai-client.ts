/**
 * Any OpenAI-compatible chat-completions server through the official `openai` SDK (OpenAI, Ollama,
 * vLLM, llama.cpp). `base_url` includes `/v1`, as the SDK expects. Reasoning arrives as
 * `reasoning_content` (vLLM, DeepSeek) or `reasoning` (Ollama, OpenRouter) and becomes thinking.
 */
import OpenAI from "openai";
import type { AgentConfig } from "../config";
import type { Usage } from "../../shared/protocol/events";
import type { CanonicalMessage, ContentBlock } from "../messages";
import {
    apiMessages,
    breather,
    parseToolInput,
    StreamCutError,
    type ModelAnswer,
    type ModelClient,
    type ModelOutput,
    type ModelRequest,
} from "./model-client";
import type { CallError } from "./retry";
import { sdkCallError } from "./sdk-errors";

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

export class OpenAiClient implements ModelClient {
    private readonly client: OpenAI;

    constructor(agent: AgentConfig, apiKey: string) {
        this.client = new OpenAI({ apiKey, baseURL: agent.base_url, maxRetries: 0, timeout: 600_000, logLevel: "off" });
    }

    async call(request: ModelRequest, output: ModelOutput): Promise<ModelAnswer> {
        const stream = await this.client.chat.completions.create(
            {
                model: request.model,
                messages: toOpenAi(request.system, apiMessages(request.messages)),
                max_tokens: request.maxTokens,
                stream: true,
                // Servers that report usage do it in one last chunk only when asked; others ignore this.
                stream_options: { include_usage: true },
                ...(request.temperature !== undefined && { temperature: request.temperature }),
                ...(request.tools.length > 0 && {
                    tools: request.tools.map((t) => ({
                        type: "function" as const,
                        function: { name: t.name, description: t.description, parameters: t.input_schema },
                    })),
                }),
            },
            { signal: request.signal },
        );
        let text = "";
        let thinking = "";
        const calls: Array<{ id: string; name: string; args: string }> = [];
        let finish: string | undefined;
        let usage: Partial<Usage> | undefined;
        const breathe = breather();
        for await (const chunk of stream) {
            await breathe();
            if (chunk.usage) usage = openAiUsage(chunk.usage);
            const choice = chunk.choices[0];
            if (!choice) continue;
            const delta = choice.delta as typeof choice.delta & { reasoning_content?: string | null; reasoning?: string | null };
            const reasoning = delta.reasoning_content ?? delta.reasoning;
            if (reasoning) {
                thinking += reasoning;
                output.thinking(reasoning);
            }
            if (delta.content) {
                text += delta.content;
                output.text(delta.content);
            }
            for (const call of delta.tool_calls ?? []) {
                const slot = (calls[call.index] ??= { id: "", name: "", args: "" });
                if (call.id) slot.id = call.id;
                if (call.function?.name) slot.name += call.function.name;
                if (call.function?.arguments) {
                    slot.args += call.function.arguments;
                    output.toolInput(call.function.arguments);
                }
            }
            if (choice.finish_reason) finish = choice.finish_reason;
        }
        // The SDK ends quietly on `[DONE]` and on a cut stream alike; only a finish_reason tells them apart.
        if (finish === undefined) throw new StreamCutError("OpenAI-compatible API", "a finish_reason");
        const content: ContentBlock[] = [];
        if (thinking) content.push({ type: "thinking", thinking });
        if (text) content.push({ type: "text", text });
        for (const c of calls.filter(Boolean))
            content.push({ type: "tool_use", id: c.id || `call_${content.length}`, name: c.name, input: parseToolInput(c.args) });
        const stopReason = finish === "tool_calls" || calls.length > 0 ? "tool_use" : finish === "length" ? "max_tokens" : "end_turn";
        return { message: { role: "assistant", content }, stopReason, usage };
    }

    toCallError(err: unknown): CallError | null {
        return sdkCallError(err, "OpenAI-compatible API");
    }
}

/** Cached prompt tokens are part of `prompt_tokens`; OpenAI reports no cache writes. */
function openAiUsage(u: OpenAI.CompletionUsage): Partial<Usage> {
    const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
    return { input_tokens: u.prompt_tokens - cached, output_tokens: u.completion_tokens, cache_read_tokens: cached };
}

function toOpenAi(system: string, messages: CanonicalMessage[]): ChatMessage[] {
    const out: ChatMessage[] = system ? [{ role: "system", content: system }] : [];
    for (const m of messages) {
        const text = m.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n\n");
        if (m.role === "user") {
            for (const b of m.content)
                if (b.type === "tool_result") out.push({ role: "tool", tool_call_id: b.tool_use_id, content: b.content });
            const images = m.content.flatMap((b) => (b.type === "image" ? [b] : []));
            if (images.length > 0) {
                const parts: OpenAI.Chat.Completions.ChatCompletionContentPart[] = text ? [{ type: "text", text }] : [];
                for (const b of images) {
                    parts.push(
                        b.data
                            ? { type: "image_url", image_url: { url: `data:${b.media_type};base64,${b.data}` } }
                            : { type: "text", text: `[image ${b.path}: not available]` },
                    );
                }
                out.push({ role: "user", content: parts });
            } else if (text) {
                out.push({ role: "user", content: text });
            }
            continue;
        }
        const toolCalls = m.content.flatMap((b) =>
            b.type === "tool_use"
                ? [{ id: b.id, type: "function" as const, function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }]
                : [],
        );
        out.push({ role: "assistant", content: text || null, ...(toolCalls.length > 0 && { tool_calls: toolCalls }) });
    }
    return out;
}
