import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { defaultConfig, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { call, stream } from "../helpers/client";
import { FakeLlm } from "../fakes/fake-llm";

/** A port with nothing listening: bound, then closed. */
async function deadPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

describe("backends", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    let dead: number;
    before(async () => {
        fake = await FakeLlm.start();
        dead = await deadPort();
        const config = defaultConfig(fake) as { agents: Record<string, Record<string, unknown>> };
        config.agents.assistant!.system = "You are the test agent.";
        config.agents.assistant!.max_tokens = 321;
        config.agents.offline = { backend: "anthropic", base_url: `http://127.0.0.1:${dead}`, api_key_env: "LODGE_TEST_KEY" };
        config.agents.quick = { backend: "openai", base_url: fake.openaiUrl, api_key_env: "LODGE_TEST_KEY", request_timeout_ms: 400 };
        config.agents.quickA = { backend: "anthropic", base_url: fake.url, api_key_env: "LODGE_TEST_KEY", request_timeout_ms: 400 };
        config.agents.keyless = { backend: "anthropic", api_key_env: "NOT_SET_ANYWHERE" };
        config.agents.proxy = { backend: "anthropic", base_url: fake.url };
        d = await startDaemon({ fake, config });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    let n = 0;
    async function turn(text: string, extra: Record<string, unknown> = {}) {
        const name = `b${++n}`;
        writeFileSync(join(d.vault, `${name}.md`), text);
        const before = fake.requests.length;
        const result = await stream(d, { filename: name, ...extra });
        return { ...result, name, disk: () => readFileSync(join(d.vault, `${name}.md`), "utf8"), requests: fake.requests.slice(before) };
    }

    it("sends the agent's system prompt, model and max_tokens to Anthropic", async () => {
        const r = await turn("hi");
        const body = r.requests[0]!.body;
        assert.equal(body.system, "You are the test agent.");
        assert.equal(body.model, "claude-test");
        assert.equal(body.max_tokens, 321);
        assert.equal(body.stream, true);
    });

    it("lets frontmatter choose model, system, temperature and max_tokens", async () => {
        const r = await turn("---\nmodel: claude-other\nsystem: Answer in French.\ntemperature: 0.2\nmax_tokens: 99\n---\nhi");
        const body = r.requests[0]!.body;
        assert.deepEqual([body.model, body.system, body.temperature, body.max_tokens], ["claude-other", "Answer in French.", 0.2, 99]);
    });

    it("streams from an OpenAI-compatible server with the system prompt first", async () => {
        fake.enqueue({ text: "Bonjour from gpt", chunkSize: 3 });
        const r = await turn("salut", { agent: "gpt" });
        assert.equal(r.requests[0]!.path, "/v1/chat/completions");
        assert.deepEqual(
            r.requests[0]!.body.messages.map((m: any) => m.role),
            ["system", "user"],
        );
        assert.ok(r.disk().endsWith("### Assistant:\n\nBonjour from gpt\n\n### User:\n\n"));
    });

    it("renders thinking as a [!thinking] callout and keeps it out of the next turn's text", async () => {
        fake.enqueue({ thinking: "Let me think.\nStep two.", text: "The answer." });
        const r = await turn("think please");
        assert.ok(r.disk().includes("### Assistant:\n\n> [!thinking]-\n> Let me think.\n> Step two.\n\nThe answer.\n\n### User:\n\n"));
        writeFileSync(join(d.vault, `${r.name}.md`), `${r.disk()}next\n`);
        const next = await stream(d, { filename: r.name });
        assert.equal(next.terminal!.event, "done");
        const sent = fake.requests.at(-1)!.body.messages;
        assert.equal(sent[1].content[0].type, "thinking", "the stored thinking block, signature and all, is sent back");
        assert.equal(sent[1].content[0].signature.length > 0, true);
        assert.equal(sent[1].content[1].text, "The answer.");
    });

    describe("before the first token", () => {
        it("retries 429 and 529 honouring retry-after, then answers once", async () => {
            fake.enqueue({ status: 429, retryAfter: "0" }, { status: 529, retryAfter: "0" }, { text: "finally" });
            const r = await turn("busy?");
            assert.equal(r.requests.length, 3);
            assert.equal(r.terminal!.event, "done");
            assert.ok(r.disk().endsWith("### Assistant:\n\nfinally\n\n### User:\n\n"));
        });

        it("gives up after 3 retries: overload is backend_unavailable, with an [!error] callout and no scaffold (a failed turn)", async () => {
            fake.enqueue(...Array.from({ length: 4 }, () => ({ status: 529, retryAfter: "0", errorMessage: "Overloaded" })));
            const r = await turn("overloaded?");
            assert.equal(r.requests.length, 4);
            assert.equal(r.terminal!.event, "error");
            assert.equal((r.terminal!.data as any).code, "backend_unavailable");
            assert.equal((r.terminal!.data as any).status_code, 503);
            assert.match(r.disk(), /### Assistant:\n\n> \[!error\] .*529.*Overloaded$/);
            assert.equal(r.reply, r.disk().slice(r.disk().indexOf("\n\n### Assistant:")));
        });

        it("server errors are backend_error after retries; a 400 is not retried", async () => {
            fake.enqueue(...Array.from({ length: 4 }, () => ({ status: 500, retryAfter: "0" })));
            let r = await turn("500?");
            assert.equal(r.requests.length, 4);
            assert.equal((r.terminal!.data as any).code, "backend_error");
            assert.equal((r.terminal!.data as any).status_code, 502);
            fake.enqueue({ status: 400, errorMessage: "bad request from model" });
            r = await turn("400?");
            assert.equal(r.requests.length, 1);
            assert.equal((r.terminal!.data as any).code, "backend_error");
            assert.match(r.disk(), /> \[!error\] .*bad request from model/);
        });

        it("a refused connection is backend_unavailable", async () => {
            const r = await turn("anyone?", { agent: "offline" });
            assert.equal((r.terminal!.data as any).code, "backend_unavailable");
            assert.match(r.disk(), /> \[!error\] .*(reached|connection)/i);
        });

        it("a silent backend times out and the turn fails cleanly", async () => {
            fake.enqueue({ hang: true }, { hang: true }, { hang: true }, { hang: true });
            const r = await turn("hello?", { agent: "quick" });
            assert.equal((r.terminal!.data as any).code, "backend_unavailable");
            assert.match((r.terminal!.data as any).message, /sent nothing/);
        });

        it("an Anthropic agent with a base_url needs no key (a local gateway or proxy)", async () => {
            const r = await turn("through the proxy", { agent: "proxy" });
            assert.equal(r.terminal!.event, "done");
            assert.equal(r.requests[0]!.api, "anthropic");
        });

        it("a missing API key is a clear error in the note", async () => {
            const r = await turn("key?", { agent: "keyless" });
            assert.equal((r.terminal!.data as any).code, "backend_error");
            assert.match(r.disk(), /> \[!error\] agent "keyless" needs an API key: set NOT_SET_ANYWHERE/);
        });
    });

    describe("after the first token", () => {
        for (const [what, reply] of [
            ["a dropped connection", { dropAfterChunks: 2 }],
            ["garbage", { garbageAfterChunks: 2 }],
            ["an overload error in the stream", { streamErrorAfterChunks: 2 }],
        ] as const) {
            it(`${what}: nothing is retried, the partial reply is kept with an [!error] callout and the scaffold`, async () => {
                fake.enqueue({ text: "partial words then trouble", chunkSize: 8, ...reply });
                const r = await turn("go");
                assert.equal(r.requests.length, 1);
                assert.equal(r.terminal!.event, "error");
                assert.match(r.disk(), /### Assistant:\n\npartial words th\n\n> \[!error\] .+\n\n### User:\n\n$/);
                assert.equal(r.reply, r.disk().slice(r.disk().indexOf("\n\n### Assistant:")));
            });
        }

        it("keeps the partial reply in the history, so the next turn continues from it", async () => {
            fake.enqueue({ text: "half an answer", chunkSize: 5, dropAfterChunks: 2 });
            const r = await turn("question one");
            writeFileSync(join(d.vault, `${r.name}.md`), `${r.disk()}please go on\n`);
            await stream(d, { filename: r.name });
            const sent = fake.requests.at(-1)!.body.messages;
            assert.deepEqual(
                sent.map((m: any) => [m.role, m.content.map((b: any) => b.text).join("")]),
                [
                    ["user", "question one"],
                    ["assistant", "half an an"],
                    ["user", "please go on"],
                ],
            );
        });
    });

    describe("silence and streams that end without their end (issue 9)", () => {
        for (const [label, agent] of [
            ["Anthropic", "quickA"],
            ["OpenAI", "quick"],
        ] as const) {
            it(`${label}: keep-alives only before the first text are silence: retried, then backend_unavailable, no scaffold`, async () => {
                fake.enqueue(...Array.from({ length: 4 }, () => ({ text: "never sent", stallAfterChunks: 0 })));
                const r = await turn("anyone home?", { agent });
                assert.equal(r.requests.length, 4, "retried like a dropped connection");
                assert.equal(r.terminal!.event, "error");
                assert.equal((r.terminal!.data as any).code, "backend_unavailable");
                assert.match((r.terminal!.data as any).message, /sent nothing/);
                assert.match(r.disk(), /### Assistant:\n\n> \[!error\] .*sent nothing.*$/);
                assert.ok(!r.disk().includes("### User:"));
            });

            it(`${label}: an empty 200 body is retried, then backend_unavailable`, async () => {
                fake.enqueue(...Array.from({ length: 4 }, () => ({ emptyBody: true })));
                const r = await turn("empty?", { agent });
                assert.equal(r.requests.length, 4);
                assert.equal((r.terminal!.data as any).code, "backend_unavailable");
                assert.match(r.disk(), /### Assistant:\n\n> \[!error\] .*ended before/);
                assert.ok(!r.disk().includes("### User:"));
            });

            for (const [what, fault] of [
                ["silence after some text", { stallAfterChunks: 2 }],
                ["a stream that ends without its end", { endAfterChunks: 2 }],
            ] as const) {
                it(`${label}: ${what} keeps the partial reply with an [!error] callout`, async () => {
                    fake.enqueue({ text: "partial words then trouble", chunkSize: 8, ...fault });
                    const r = await turn("go on", { agent });
                    assert.equal(r.requests.length, 1);
                    assert.equal(r.terminal!.event, "error");
                    // Partial text, the callout, then the scaffold (docs/notes.md).
                    assert.match(r.disk(), /### Assistant:\n\npartial words th\n\n> \[!error\] .+\n\n### User:\n\n$/);
                });
            }
        }
    });

    it("/v1/chat answers a backend failure with its error code after writing the note", async () => {
        fake.enqueue(...Array.from({ length: 4 }, () => ({ status: 503, retryAfter: "0" })));
        writeFileSync(join(d.vault, "plain.md"), "plain request");
        const r = await call(d, "/v1/chat", { body: { filename: "plain" } });
        assert.equal(r.status, 503);
        assert.equal(r.body.error.code, "backend_unavailable");
        assert.match(readFileSync(join(d.vault, "plain.md"), "utf8"), /> \[!error\] /);
    });

    it("never logs the API key or a token", () => {
        const logs =
            d
                .stdout()
                .split("\n")
                .filter((l) => !l.startsWith("plugin token:"))
                .join("\n") + d.stderr();
        assert.ok(!logs.includes("sk-test-key-0123456789"));
        assert.ok(!logs.includes(d.token));
    });
});
