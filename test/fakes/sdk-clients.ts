/** The official SDKs pointed at a FakeLlm started afresh for each test, for the fake's own tests. */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { FakeLlm } from "./fake-llm";

export const MODEL = "claude-fake-1";

/** Registers beforeEach/afterEach; `started` hands each test's fake to the suite's own variable. */
export function sdkClients(started: (fake: FakeLlm) => void) {
    let fake: FakeLlm;
    beforeEach(async () => {
        fake = await FakeLlm.start();
        started(fake);
    });
    afterEach(async () => {
        await fake.close();
    });

    // logLevel "off": the garbage tests make the SDKs log the unparsable frame before throwing.
    const anthropic = (): Anthropic => new Anthropic({ baseURL: fake.url, apiKey: "test-key", maxRetries: 0, logLevel: "off" });
    const openai = (): OpenAI => new OpenAI({ baseURL: fake.openaiUrl, apiKey: "test-key", maxRetries: 0, logLevel: "off" });
    const ask = (text: string): Anthropic.MessageCreateParamsNonStreaming => ({
        model: MODEL,
        max_tokens: 256,
        messages: [{ role: "user", content: text }],
    });
    const chat = (text: string): OpenAI.ChatCompletionCreateParamsNonStreaming => ({
        model: "gpt-fake",
        messages: [{ role: "user", content: text }],
    });

    async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
        for await (const _ of iterable) {
            /* only the rejection matters */
        }
    }

    return { anthropic, openai, ask, chat, drain };
}
