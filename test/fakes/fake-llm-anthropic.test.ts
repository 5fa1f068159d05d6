// The fake is only worth trusting if the official SDKs accept what it sends: every check here goes through
// @anthropic-ai/sdk or openai, never a hand-rolled parser.
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { FakeLlm } from "./fake-llm";
import { MODEL, sdkClients } from "./sdk-clients";

describe("FakeLlm: Anthropic wire format", () => {
    let fake: FakeLlm;
    const { anthropic, ask, drain } = sdkClients((started) => (fake = started));

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
            for await (const e of events) if (e.type === "content_block_delta" && e.delta.type === "text_delta") texts.push(e.delta.text);
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
