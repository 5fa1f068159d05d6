// The fake is only worth trusting if the official SDKs accept what it sends: every check here goes through
// @anthropic-ai/sdk or openai, never a hand-rolled parser.
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { FakeLlm } from "./fake-llm";
import { sdkClients } from "./sdk-clients";

describe("FakeLlm: server behaviour", () => {
    let fake: FakeLlm;
    const { anthropic, openai, ask, chat } = sdkClients((started) => (fake = started));

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
