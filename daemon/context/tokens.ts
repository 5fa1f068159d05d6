/**
 * Token estimates for fitting a conversation into an agent's window (docs/context.md), and the windows the
 * daemon knows. The estimate is arithmetic, not a tokenizer: fitting runs on every turn over the whole
 * history (10,000 messages ≤ 20 ms), and Claude's tokenizer is not public anyway. Every character
 * counts 1/3.5 token, and each UTF-8 byte past the first of a character 0.36 more. Measured against OpenAI's o200k tokenizer (gpt-tokenizer,
 * which gives OpenAI's published counts) the estimate is within −32 %…+36 % per text kind, and over
 * by ~10 % on English prose, where Claude's tokenizer also counts more than o200k (docs/context.md).
 */
import type { AgentConfig } from "../config";
import type { CanonicalMessage } from "../messages";

/** What an image costs at most on Anthropic's scale (about 1,600 tokens for a full-size image). */
export const IMAGE_TOKENS = 1_600;
/** Role markers and separators around each message. */
const MESSAGE_TOKENS = 4;
export const DEFAULT_WINDOW = 32_000;

export function estimateTokens(text: string): number {
    // UTF-8 bytes past one per code unit tell how much is not ASCII without a loop in JavaScript:
    // a 3-byte character (CJK) counts ~1 token, a 2-byte one (é, ü) ~0.64.
    const extra = Buffer.byteLength(text, "utf8") - text.length;
    return Math.ceil(text.length / 3.5 + extra * 0.36);
}

export function messageTokens(message: CanonicalMessage): number {
    let n = MESSAGE_TOKENS;
    for (const b of message.content) {
        switch (b.type) {
            case "text":
                n += estimateTokens(b.text);
                break;
            case "thinking":
                n += estimateTokens(b.thinking);
                break;
            case "tool_use":
                n += estimateTokens(b.name) + estimateTokens(JSON.stringify(b.input ?? {}));
                break;
            case "tool_result":
                n += estimateTokens(b.content);
                break;
            case "image":
                n += IMAGE_TOKENS;
                break;
        }
    }
    return n;
}

/**
 * Context windows by model name, longest prefix first; the project keeps this table. Models not in
 * it get DEFAULT_WINDOW unless the agent sets `context_tokens`.
 */
const WINDOWS: ReadonlyArray<readonly [RegExp, number]> = [
    [/^claude-/i, 200_000],
    [/^gpt-5/i, 400_000],
    [/^gpt-4\.1/i, 1_047_576],
    [/^gpt-4o/i, 128_000],
    [/^gpt-4-turbo/i, 128_000],
    [/^gpt-4(?![.o-])/i, 8_192],
    [/^gpt-3\.5-turbo/i, 16_385],
    [/^o[134](-|$)/i, 200_000],
];

export function contextWindow(agent: AgentConfig, model: string): number {
    if (agent.context_tokens !== undefined) return agent.context_tokens;
    return WINDOWS.find(([pattern]) => pattern.test(model))?.[1] ?? DEFAULT_WINDOW;
}
