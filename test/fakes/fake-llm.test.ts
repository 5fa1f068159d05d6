// The fake is only worth trusting if the official SDKs accept what it sends: every check here goes through
// @anthropic-ai/sdk or openai, never a hand-rolled parser.
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { FakeLlm } from "./fake-llm";

const MODEL = "claude-fake-1";

describe("FakeLlm", () => {
    let fake: FakeLlm;
    beforeEach(async () => {
        fake = await FakeLlm.start();
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

    describe("Anthropic wire format", () => {
        it("streams text chunks in order and records the request the SDK sent", async () => {
            fake.enqueue({ chunks: ["Hel", "lo, ", "wor", "ld"] });
            const stream = anthropic().messages.stream({ ...ask("hi"), system: "be brief" });
            const deltas: string[] = [];
            stream.on("text", (delta) => deltas.push(delta));
            const message = await stream.finalMessage();
            assert.deepEqual(deltas, ["Hel", "lo, ", "wor", "ld"]);
            assert.deepEqual(message.content, [{ type: "text", text: "Hello, world" }]);
            assert.equal(message.id, "msg_fake1");
            assert.equal(message.stop_reason, "end_turn");
            assert.equal(message.model, MODEL);
            const [req] = fake.requests;
            assert.equal(req?.api, "anthropic");
            assert.equal(req?.method, "POST");
            assert.equal(req?.path, "/v1/messages");
            // SDK 1.x sends the API key as a bearer token, not x-api-key.
            assert.equal(req?.headers.authorization, "Bearer test-key");
            assert.equal(typeof req?.headers["anthropic-version"], "string");
            assert.equal(req?.body.stream, true);
            assert.equal(req?.body.system, "be brief");
            assert.deepEqual(req?.body.messages, [{ role: "user", content: "hi" }]);
            assert.ok(req.firstChunkAt !== undefined && req.firstChunkAt >= req.receivedAt);
        });

        it("sends the raw events in the API's order, splitting text by chunkSize", async () => {
            fake.enqueue({ text: "abcdefg", chunkSize: 3, usage: { input_tokens: 11, output_tokens: 5 } });
            const events = await anthropic().messages.create({ ...ask("x"), stream: true });
            const seen: string[] = [];
            const texts: string[] = [];
            for await (const event of events) {
                seen.push(event.type);
                if (event.type === "content_block_delta" && event.delta.type === "text_delta") texts.push(event.delta.text);
                if (event.type === "message_delta") assert.equal(event.usage.output_tokens, 5);
            }
            // The SDK drops `ping` itself; it is checked on the wire below.
            assert.deepEqual(seen, [
                "message_start",
                "content_block_start",
                "content_block_delta",
                "content_block_delta",
                "content_block_delta",
                "content_block_stop",
                "message_delta",
                "message_stop",
            ]);
            assert.deepEqual(texts, ["abc", "def", "g"]);
            const raw = await (
                await fetch(`${fake.url}/v1/messages?beta=true`, { method: "POST", body: JSON.stringify({ ...ask("x"), stream: true }) })
            ).text();
            const names = [...raw.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
            assert.deepEqual(names.slice(0, 3), ["message_start", "content_block_start", "ping"]);
            assert.equal(fake.requests[1]?.path, "/v1/messages?beta=true");
        });

        it("streams a thinking block with its signature, then text, then tool calls the SDK reassembles", async () => {
            const input = { path: "notes/a.md", lines: [1, 2, 3], deep: { 'quote"d': "ünï✓" } };
            fake.enqueue({
                thinking: "Let me think this through.",
                text: "Reading it.",
                toolCalls: [
                    { name: "read_file", input },
                    { id: "toolu_mine", name: "noop", input: {} },
                ],
            });
            const stream = anthropic().messages.stream(ask("read notes/a.md"));
            let thinking = "";
            stream.on("thinking", (delta) => (thinking += delta));
            const message = await stream.finalMessage();
            assert.equal(thinking, "Let me think this through.");
            assert.equal(message.stop_reason, "tool_use");
            const [think, text, tool, tool2] = message.content;
            assert.equal(think?.type, "thinking");
            assert.equal(think.type === "thinking" && think.thinking, "Let me think this through.");
            assert.ok(think.type === "thinking" && think.signature.length > 0);
            assert.deepEqual(text, { type: "text", text: "Reading it." });
            assert.deepEqual(tool, { type: "tool_use", id: "toolu_fake1", name: "read_file", input });
            assert.deepEqual(tool2, { type: "tool_use", id: "toolu_mine", name: "noop", input: {} });
        });

        it("answers a non-streaming create with one Message, echoing tool results by default", async () => {
            const message = await anthropic().messages.create({
                model: MODEL,
                max_tokens: 256,
                messages: [
                    { role: "user", content: "read it" },
                    { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "read_file", input: {} }] },
                    {
                        role: "user",
                        content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "file body" }] }],
                    },
                ],
            });
            assert.deepEqual(message.content, [{ type: "text", text: "FAKE tool result: file body" }]);
            assert.equal(message.type, "message");
            assert.ok(message.usage.input_tokens > 0);
            assert.equal(fake.requests[0]?.body.stream, undefined);
        });

        it("accepts system-role entries and echoes the last user text by default", async () => {
            // Claude Code puts role "system" entries in `messages`; the SDK's types do not allow it, the wire does.
            const messages = [
                { role: "system", content: "sys" },
                {
                    role: "user",
                    content: [
                        { type: "text", text: "one" },
                        { type: "text", text: "two" },
                    ],
                },
            ] as unknown as Anthropic.MessageParam[];
            const text = await anthropic().messages.stream({ model: MODEL, max_tokens: 256, messages }).finalText();
            assert.equal(text, "FAKE[n=2] you said: two");
        });

        it("surfaces a 529 as the SDK's APIError with its status and retry-after", async () => {
            fake.enqueue({ status: 529, retryAfter: "7" });
            await assert.rejects(anthropic().messages.create(ask("x")), (err: unknown) => {
                assert.ok(err instanceof Anthropic.APIError);
                assert.equal(err.status, 529);
                assert.equal(err.type, "overloaded_error");
                assert.equal(err.headers?.get("retry-after"), "7");
                assert.equal(err.requestID, "req_fake1");
                return true;
            });
        });

        it("rejects the iteration when the connection drops mid-stream", async () => {
            fake.enqueue({ text: "a long reply that never finishes", chunkSize: 4, dropAfterChunks: 2 });
            const texts: string[] = [];
            const events = await anthropic().messages.create({ ...ask("x"), stream: true });
            await assert.rejects(async () => {
                for await (const e of events)
                    if (e.type === "content_block_delta" && e.delta.type === "text_delta") texts.push(e.delta.text);
            });
            assert.deepEqual(texts, ["a lo", "ng r"]);
        });

        it("rejects garbage after chunks and an in-stream error event", async () => {
            fake.enqueue(
                { text: "abcdef", chunkSize: 2, garbageAfterChunks: 1 },
                { text: "abcdef", chunkSize: 2, garbageAfterChunks: 1 },
                { text: "abcdef", streamErrorAfterChunks: 0 },
            );
            await assert.rejects(anthropic().messages.stream(ask("x")).finalMessage(), /JSON/);
            await assert.rejects(drain(await anthropic().messages.create({ ...ask("x"), stream: true })), SyntaxError);
            await assert.rejects(drain(await anthropic().messages.create({ ...ask("x"), stream: true })), (err: unknown) => {
                assert.ok(err instanceof Anthropic.APIError);
                assert.equal(err.type, "overloaded_error");
                return true;
            });
        });

        it("lists models", async () => {
            const page = await anthropic().models.list();
            assert.deepEqual(
                page.data.map((m) => m.id),
                ["fake-model-1"],
            );
        });
    });

    describe("OpenAI wire format", () => {
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

    describe("server behaviour", () => {
        it("uses the queue first, then the default, and passes the request to reply functions", async () => {
            fake.enqueue({ text: "queued" });
            fake.setDefault((req) => ({ text: `default for ${req.api}` }));
            const client = openai();
            const texts: string[] = [];
            for (let i = 0; i < 2; i++) texts.push((await client.chat.completions.create(chat("x"))).choices[0]?.message.content ?? "");
            assert.deepEqual(texts, ["queued", "default for openai"]);
        });

        it("paces chunks, times them and calls onChunk after each write", async () => {
            fake.enqueue({ chunks: ["a", "b", "c"], chunkDelayMs: 15, firstByteDelayMs: 20 });
            const hooked: Array<[number, string]> = [];
            fake.onChunk = (_req, i, text) => hooked.push([i, text]);
            const start = performance.now();
            const text = await anthropic().messages.stream(ask("x")).finalText();
            assert.equal(text, "abc");
            assert.deepEqual(hooked, [
                [0, "a"],
                [1, "b"],
                [2, "c"],
            ]);
            assert.ok(performance.now() - start >= 60);
            const req = fake.requests[0]!;
            assert.ok(req.firstChunkAt! - req.receivedAt >= 30);
        });

        it("hangs until the client aborts, and close() ends a hanging request promptly", async () => {
            fake.enqueue({ hang: true }, { hang: true });
            const ac = new AbortController();
            const aborted = anthropic().messages.create({ ...ask("x"), stream: true }, { signal: ac.signal });
            await fake.waitForRequests(1);
            ac.abort();
            await assert.rejects(aborted, Anthropic.APIUserAbortError);
            const pending = openai().chat.completions.create({ ...chat("x"), stream: true });
            await fake.waitForRequests(2);
            const start = performance.now();
            await fake.close();
            await assert.rejects(pending, OpenAI.APIConnectionError);
            assert.ok(performance.now() - start < 200);
        });

        it("stalls with keep-alives only, ends a stream without its end, or sends an empty body", async () => {
            fake.enqueue(
                { text: "abcdef", chunkSize: 2, stallAfterChunks: 1, keepAliveMs: 10 },
                { text: "abcdef", chunkSize: 2, stallAfterChunks: 1, keepAliveMs: 10 },
            );
            const ac = new AbortController();
            const raw = await fetch(`${fake.url}/v1/messages`, {
                method: "POST",
                body: JSON.stringify({ ...ask("x"), stream: true }),
                signal: ac.signal,
            });
            const reader = raw.body!.getReader();
            let wire = "";
            while ((wire.match(/event: ping/g) ?? []).length < 4) wire += new TextDecoder().decode((await reader.read()).value);
            ac.abort();
            assert.match(wire, /"text":"ab"/);
            assert.ok(!wire.includes("message_stop") && !wire.includes('"cd"'));
            const ac2 = new AbortController();
            const oai = await fetch(`${fake.openaiUrl}/chat/completions`, {
                method: "POST",
                body: JSON.stringify({ ...chat("x"), stream: true }),
                signal: ac2.signal,
            });
            const r2 = oai.body!.getReader();
            let wire2 = "";
            while ((wire2.match(/^: keep-alive$/gm) ?? []).length < 3) wire2 += new TextDecoder().decode((await r2.read()).value);
            ac2.abort();
            assert.ok(!wire2.includes('finish_reason":"stop') && !wire2.includes("[DONE]"));
            fake.enqueue({ text: "abcdef", chunkSize: 2, endAfterChunks: 2 }, { emptyBody: true });
            const texts: string[] = [];
            let finish: string | null | undefined = null;
            for await (const chunk of await openai().chat.completions.create({ ...chat("x"), stream: true })) {
                texts.push(chunk.choices[0]?.delta.content ?? "");
                finish ??= chunk.choices[0]?.finish_reason;
            }
            assert.equal(texts.join(""), "abcd");
            assert.equal(finish, null, "the stream ended without a finish_reason");
            const empty = await fetch(`${fake.url}/v1/messages`, { method: "POST", body: JSON.stringify({ ...ask("x"), stream: true }) });
            assert.equal(empty.status, 200);
            assert.equal(await empty.text(), "");
        });

        it("answers HEAD preconnects and unknown paths with 200 {}", async () => {
            assert.equal((await fetch(fake.url, { method: "HEAD" })).status, 200);
            assert.deepEqual(await (await fetch(`${fake.url}/elsewhere`)).json(), {});
            assert.deepEqual(
                fake.requests.map((r) => [r.api, r.method, r.path]),
                [
                    ["other", "HEAD", "/"],
                    ["other", "GET", "/elsewhere"],
                ],
            );
            await assert.rejects(fake.waitForRequests(3, 20), /got 2/);
        });
    });
});
