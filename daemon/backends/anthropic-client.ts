/** The Anthropic Messages API through the official SDK, streamed (docs/api.md). */
import Anthropic from "@anthropic-ai/sdk";
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

type Block =
    | { type: "text"; text: string }
    | { type: "thinking"; thinking: string; signature: string }
    | { type: "tool_use"; id: string; name: string; json: string };

export class AnthropicClient implements ModelClient {
    private readonly client: Anthropic;

    constructor(agent: AgentConfig, apiKey: string) {
        // The SDK's own retries are off: retrying belongs to withRetry, which knows about the first token.
        this.client = new Anthropic({ apiKey, baseURL: agent.base_url, maxRetries: 0, timeout: 600_000, logLevel: "off" });
    }

    async call(request: ModelRequest, output: ModelOutput): Promise<ModelAnswer> {
        const stream = await this.client.messages.create(
            {
                model: request.model,
                max_tokens: request.maxTokens,
                system: request.system,
                messages: toAnthropic(apiMessages(request.messages)),
                stream: true,
                ...(request.temperature !== undefined && { temperature: request.temperature }),
                ...(request.tools.length > 0 && { tools: request.tools as Anthropic.Tool[] }),
            },
            { signal: request.signal },
        );
        const blocks: Block[] = [];
        let stopReason = "end_turn";
        let ended = false;
        const usage: Partial<Usage> = {};
        const breathe = breather();
        for await (const event of stream) {
            await breathe();
            switch (event.type) {
                case "message_start":
                    addAnthropicUsage(usage, event.message.usage);
                    break;
                case "content_block_start": {
                    const b = event.content_block;
                    if (b.type === "text") blocks[event.index] = { type: "text", text: "" };
                    else if (b.type === "thinking") blocks[event.index] = { type: "thinking", thinking: "", signature: "" };
                    else if (b.type === "tool_use") blocks[event.index] = { type: "tool_use", id: b.id, name: b.name, json: "" };
                    break;
                }
                case "content_block_delta": {
                    const b = blocks[event.index];
                    const d = event.delta;
                    if (d.type === "text_delta" && b?.type === "text") {
                        b.text += d.text;
                        output.text(d.text);
                    } else if (d.type === "thinking_delta" && b?.type === "thinking") {
                        b.thinking += d.thinking;
                        output.thinking(d.thinking);
                    } else if (d.type === "signature_delta" && b?.type === "thinking") {
                        b.signature += d.signature;
                    } else if (d.type === "input_json_delta" && b?.type === "tool_use") {
                        b.json += d.partial_json;
                        output.toolInput(d.partial_json);
                    }
                    break;
                }
                case "message_delta":
                    if (event.delta.stop_reason) stopReason = event.delta.stop_reason;
                    addAnthropicUsage(usage, event.usage);
                    break;
                case "message_stop":
                    ended = true;
                    break;
                default:
                    break;
            }
        }
        if (!ended) throw new StreamCutError("Anthropic API", "message_stop");
        return { message: { role: "assistant", content: blocks.filter(Boolean).map(toCanonical) }, stopReason, usage };
    }

    toCallError(err: unknown): CallError | null {
        return sdkCallError(err, "Anthropic API");
    }
}

/**
 * `message_start` carries the input side, `message_delta` the running totals (output, and the input
 * side again on newer APIs): the latest figure of each field wins.
 */
function addAnthropicUsage(usage: Partial<Usage>, u: Partial<Anthropic.MessageDeltaUsage> | null | undefined): void {
    if (!u) return;
    if (typeof u.input_tokens === "number") usage.input_tokens = u.input_tokens;
    if (typeof u.output_tokens === "number") usage.output_tokens = u.output_tokens;
    if (typeof u.cache_read_input_tokens === "number") usage.cache_read_tokens = u.cache_read_input_tokens;
    if (typeof u.cache_creation_input_tokens === "number") usage.cache_write_tokens = u.cache_creation_input_tokens;
}

function toCanonical(b: Block): ContentBlock {
    if (b.type === "tool_use") return { type: "tool_use", id: b.id, name: b.name, input: parseToolInput(b.json) };
    return b;
}

function toAnthropic(messages: CanonicalMessage[]): Anthropic.MessageParam[] {
    return messages.map((m) => ({
        role: m.role,
        content: m.content.flatMap((b): Anthropic.ContentBlockParam[] => {
            switch (b.type) {
                case "text":
                    return [{ type: "text", text: b.text }];
                case "thinking":
                    // Thinking from another backend has no signature, and the API refuses unsigned thinking.
                    return b.signature ? [{ type: "thinking", thinking: b.thinking, signature: b.signature }] : [];
                case "tool_use":
                    return [{ type: "tool_use", id: b.id, name: b.name, input: b.input as Record<string, unknown> }];
                case "tool_result":
                    return [{ type: "tool_result", tool_use_id: b.tool_use_id, content: b.content, ...(b.is_error && { is_error: true }) }];
                case "image":
                    return b.data
                        ? [{ type: "image", source: { type: "base64", media_type: b.media_type, data: b.data } }]
                        : [{ type: "text", text: `[image ${b.path}: not available]` }];
            }
        }),
    }));
}
