// The fake is only worth trusting if the official SDKs accept what it sends: every check here goes through
// @anthropic-ai/sdk or openai, never a hand-rolled parser.
import assert from "node:assert/strict";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { FakeLlm } from "./fake-llm";
import { sdkClients } from "./sdk-clients";

describe("FakeLlm: OpenAI wire format", () => {
    let fake: FakeLlm;
    const { openai, chat, drain } = sdkClients((started) => (fake = started));

    it("streams text chunks in order, honours include_usage and records the request", async () => {
        fake.enqueue({ chunks: ["Hel", "lo, ", "world"], usage: { input_tokens: 3, output_tokens: 4 } });
        const stream = await openai().chat.completions.create({ ...chat("hi"), stream: true, stream_options: { include_usage: true } });
        const texts: string[] = [];
        const chunks: ChatCompletionChunk[] = [];
        for await (const chunk of stream) {
            chunks.push(chunk);
            const content = chunk.choices[0]?.delta.content;
            if (content) texts.push(content);
        }
        assert.deepEqual(texts, ["Hel", "lo, ", "world"]);
        assert.equal(chunks[0]?.id, "chatcmpl-fake1");
        assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, "stop");
        assert.deepEqual(chunks.at(-1)?.choices, []);
        assert.deepEqual(chunks.at(-1)?.usage, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
        const [req] = fake.requests;
        assert.equal(req?.api, "openai");
        assert.equal(req?.path, "/v1/chat/completions");
        assert.equal(req?.headers.authorization, "Bearer test-key");
        assert.deepEqual(req?.body, {
            model: "gpt-fake",
            messages: [{ role: "user", content: "hi" }],
            stream: true,
            stream_options: { include_usage: true },
        });
    });

    it("streams reasoning_content first, then tool calls whose arguments the SDK reassembles", async () => {
        const input = { query: 'a "quoted" ünï✓ thing', limit: 5 };
        fake.enqueue({
            thinking: "Hmm, a search.",
            toolCalls: [
                { name: "search", input },
                { name: "other", input: { x: 1 } },
            ],
        });
        const stream = await openai().chat.completions.create({ ...chat("find it"), stream: true });
        let reasoning = "";
        const calls: Array<{ id?: string; name?: string; args: string }> = [];
        let finish: string | null | undefined;
        for await (const chunk of stream) {
            const choice = chunk.choices[0];
            // reasoning_content is not in the SDK's types; it is on the raw chunk as providers send it.
            const raw = choice?.delta as { reasoning_content?: string } | undefined;
            reasoning += raw?.reasoning_content ?? "";
            for (const call of choice?.delta.tool_calls ?? []) {
                const slot = (calls[call.index] ??= { args: "" });
                slot.id ??= call.id;
                slot.name ??= call.function?.name;
                slot.args += call.function?.arguments ?? "";
            }
            finish = choice?.finish_reason ?? finish;
        }
        assert.equal(reasoning, "Hmm, a search.");
        assert.equal(finish, "tool_calls");
        assert.deepEqual(
            calls.map((c) => [c.id, c.name, JSON.parse(c.args)]),
            [
                ["call_fake1", "search", input],
                ["call_fake2", "other", { x: 1 }],
            ],
        );
    });

    it("satisfies the SDK's own stream accumulator", async () => {
        fake.enqueue({ text: "calling", toolCalls: [{ name: "search", input: { q: "x" } }] });
        const completion = await openai()
            .chat.completions.stream({ model: "gpt-fake", messages: [{ role: "user", content: "go" }] })
            .finalChatCompletion();
        const message = completion.choices[0]?.message;
        assert.equal(message?.content, "calling");
        assert.deepEqual(
            message?.tool_calls?.map((c) => c.type === "function" && [c.id, c.function.name, c.function.arguments]),
            [["call_fake1", "search", '{"q":"x"}']],
        );
    });

    it("answers a non-streaming create, echoing a tool message by default", async () => {
        const completion = await openai().chat.completions.create({
            model: "gpt-fake",
            messages: [
                { role: "system", content: "sys" },
                { role: "user", content: "search" },
                {
                    role: "assistant",
                    content: null,
                    tool_calls: [{ id: "call_1", type: "function", function: { name: "search", arguments: "{}" } }],
                },
                { role: "tool", tool_call_id: "call_1", content: "three hits" },
            ],
        });
        assert.equal(completion.object, "chat.completion");
        assert.equal(completion.choices[0]?.message.content, "FAKE tool result: three hits");
        assert.equal(completion.choices[0]?.finish_reason, "stop");
        const plain = await openai().chat.completions.create({
            model: "gpt-fake",
            messages: [
                { role: "system", content: "sys" },
                { role: "user", content: [{ type: "text", text: "hello" }] },
            ],
        });
        assert.equal(plain.choices[0]?.message.content, "FAKE[n=2] you said: hello");
    });

    it("surfaces a 429 as the SDK's APIError with its status and retry-after", async () => {
        fake.enqueue({ status: 429, retryAfter: "3", errorMessage: "slow down" });
        await assert.rejects(openai().chat.completions.create({ ...chat("x"), stream: true }), (err: unknown) => {
            assert.ok(err instanceof OpenAI.APIError);
            assert.equal(err.status, 429);
            assert.equal(err.code, "rate_limit_exceeded");
            assert.equal(err.headers?.get("retry-after"), "3");
            assert.match(err.message, /slow down/);
            return true;
        });
    });

    it("rejects the iteration on a dropped connection, on garbage and on an in-stream error", async () => {
        fake.enqueue(
            { text: "abcdefgh", chunkSize: 2, dropAfterChunks: 1 },
            { text: "abcdefgh", chunkSize: 2, garbageAfterChunks: 2 },
            { streamErrorAfterChunks: 1, errorMessage: "boom" },
        );
        const texts: string[] = [];
        await assert.rejects(async () => {
            for await (const chunk of await openai().chat.completions.create({ ...chat("x"), stream: true }))
                texts.push(chunk.choices[0]?.delta.content ?? "");
        });
        assert.equal(texts.join(""), "ab");
        await assert.rejects(drain(await openai().chat.completions.create({ ...chat("x"), stream: true })), SyntaxError);
        await assert.rejects(drain(await openai().chat.completions.create({ ...chat("x"), stream: true })), (err: unknown) => {
            assert.ok(err instanceof OpenAI.APIError);
            assert.match(err.message, /boom/);
            return true;
        });
    });

    it("lists models", async () => {
        const page = await openai().models.list();
        assert.deepEqual(
            page.data.map((m) => m.id),
            ["fake-model-1"],
        );
    });
});
