import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";
import { call, eventually, sleep, stream } from "../helpers/client";

describe("chat requests", () => {
    let d: StartedDaemon;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stop();
    });

    const path = (name: string): string => join(d.vault, `${name}.md`);
    const put = (name: string, text: string | Buffer): void => {
        mkdirSync(dirname(path(name)), { recursive: true });
        writeFileSync(path(name), text);
    };
    const read = (name: string): string => readFileSync(path(name), "utf8");

    describe("refused requests change nothing", () => {
        it("invalid frontmatter: 400 invalid_frontmatter, content not written", async () => {
            put("fm", "before\n");
            for (const content of [
                "---\na: [1, 2\n---\nq",
                '---js\n{a: require("fs")}\n---\nq',
                "---\na: &a [1]\nb: *a\n---\nq".replace("b: *a", Array.from({ length: 200 }, (_, i) => `b${i}: *a`).join("\n")),
            ]) {
                const r = await call(d, "/v1/chat/stream", { body: { filename: "fm", content } });
                assert.equal(r.status, 400);
                assert.equal(r.body.error.code, "invalid_frontmatter");
            }
            assert.equal(read("fm"), "before\n");
        });

        it("unknown agent: 404 unknown_agent, from the request or the frontmatter", async () => {
            put("agent", "before\n");
            let r = await call(d, "/v1/chat", { body: { filename: "agent", content: "hi", agent: "nobody" } });
            assert.equal(r.status, 404);
            assert.equal(r.body.error.code, "unknown_agent");
            r = await call(d, "/v1/chat", { body: { filename: "agent", content: "---\nagent: ghost\n---\nhi" } });
            assert.equal(r.body.error.code, "unknown_agent");
            assert.equal(read("agent"), "before\n");
        });

        it("binary and non-UTF-8 notes: 400 bad_request naming the problem, file untouched", async () => {
            const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]);
            const latin1 = Buffer.from("caf\xe9 au lait\n", "latin1");
            put("binary", binary);
            put("latin1", latin1);
            for (const [name, bytes, words] of [
                ["binary", binary, /NUL|binary/],
                ["latin1", latin1, /UTF-8/],
            ] as const) {
                const r = await call(d, "/v1/chat", { body: { filename: name } });
                assert.equal(r.status, 400);
                assert.equal(r.body.error.code, "bad_request");
                assert.match(r.body.error.message, words);
                assert.deepEqual(readFileSync(path(name)), bytes);
            }
            const r = await call(d, "/v1/chat", { body: { filename: "nul", content: "a\u0000b" } });
            assert.equal(r.body.error.code, "bad_request");
            assert.equal(existsSync(path("nul")), false);
        });
    });

    describe("nothing to do", () => {
        const cases: Array<[string, string, string]> = [
            ["empty", "---\nagent: assistant\n---\n\n   \n", "empty"],
            ["answered", "q\n\n### Assistant:\n\nan answer\n", "last_turn_assistant"],
            ["scaffold", "q\n\n### Assistant:\n\nan answer\n\n### User:\n\n", "blank_user_turn"],
        ];
        for (const [name, text, reason] of cases) {
            it(`${reason}: 200 with the reason, note untouched, a lone done on the stream`, async () => {
                put(`ntd-${name}`, text);
                const before = statSync(path(`ntd-${name}`)).mtimeMs;
                const r = await call(d, "/v1/chat", { body: { filename: `ntd-${name}` } });
                assert.equal(r.status, 200);
                assert.equal(r.body.status, "nothing_to_do");
                assert.equal(r.body.reason, reason);
                const s = await stream(d, { filename: `ntd-${name}`, content: text });
                assert.equal(s.events.length, 1);
                assert.equal(s.events[0]!.event, "done");
                assert.equal((s.events[0]!.data as any).status, "nothing_to_do");
                assert.equal((s.events[0]!.data as any).reason, reason);
                assert.equal((s.events[0]!.data as any).frontmatter, text.startsWith("---\n") ? "---\nagent: assistant\n---\n" : "");
                assert.equal((s.events[0]!.data as any).new_content, text);
                assert.equal(read(`ntd-${name}`), text);
                assert.equal(statSync(path(`ntd-${name}`)).mtimeMs, before);
            });
        }

        it("does not write a request's content when there is nothing to do", async () => {
            put("ntd-content", "original\n");
            const r = await call(d, "/v1/chat", { body: { filename: "ntd-content", content: "q\n\n### Assistant:\n\nanswer\n" } });
            assert.equal(r.body.status, "nothing_to_do");
            assert.equal(read("ntd-content"), "original\n");
        });
    });

    describe("one turn per note", () => {
        it("answers 409 in_progress to a second turn and changes nothing; other notes run", async () => {
            put("busy", "first question\n");
            d.fake.enqueue({ text: "slow answer", chunkSize: 2, chunkDelayMs: 40 });
            const first = stream(d, { filename: "busy" });
            await d.fake.waitForRequests(d.fake.requests.length);
            await sleep(50);
            const second = await call(d, "/v1/chat/stream", { body: { filename: "busy", content: "REPLACED\n" } });
            assert.equal(second.status, 409);
            assert.equal(second.body.error.code, "in_progress");
            d.fake.enqueue({ text: "other" });
            put("other", "another note\n");
            const other = await stream(d, { filename: "other" });
            assert.equal(other.terminal!.event, "done");
            const done = await first;
            assert.equal((done.terminal!.data as any).status, "ok");
            assert.ok(read("busy").startsWith("---\nagent: assistant\n"));
            assert.ok(read("busy").includes("first question\n\n### Assistant:\n\nslow answer\n\n### User:\n\n"));
            assert.ok(!read("busy").includes("REPLACED"));
        });
    });

    describe("content in the request", () => {
        it("writes the submitted text before the turn and the reply after it", async () => {
            const r = await call(d, "/v1/chat", { body: { filename: "new/fresh note", content: "hello from the editor" } });
            assert.equal(r.status, 200);
            assert.equal(r.body.status, "ok");
            assert.equal(r.body.agent, "assistant");
            assert.equal(read("new/fresh note"), r.body.new_content);
            assert.ok(
                r.body.new_content.endsWith(
                    "hello from the editor\n\n### Assistant:\n\nFAKE[n=1] you said: hello from the editor\n\n### User:\n\n",
                ),
            );
        });

        it("keeps other frontmatter keys, their order and bytes, and adds the written keys after them", async () => {
            const text = "---\ntitle: Trip   # comment kept\ntags: [b,  a]\nagent: gpt\n---\nplan a trip\n";
            const r = await call(d, "/v1/chat", { body: { filename: "fmkeep", content: text } });
            assert.equal(r.body.agent, "gpt");
            assert.equal(
                read("fmkeep").split("---\n")[1],
                `title: Trip   # comment kept\ntags: [b,  a]\nagent: gpt\nconversation_id: ${r.body.conversation_id}\n`,
            );
            assert.equal(d.fake.requests.at(-1)!.api, "openai");
        });
    });

    describe("cancel", () => {
        it("stops a running turn: stopped callout after the text that arrived, then the scaffold; done cancelled", async () => {
            put("stop", "tell me a long story\n");
            d.fake.enqueue({ text: "Once upon a time there was a very long story indeed", chunkSize: 3, chunkDelayMs: 30 });
            let cancelled: Promise<any> | null = null;
            const s = await stream(d, { filename: "stop" }, (_event, reply) => {
                if (reply.includes("Once") && !cancelled) {
                    cancelled = call(d, "/v1/chat/cancel", { body: { filename: "stop" } });
                }
            });
            assert.equal((await cancelled!).body.cancelled, true);
            const done = s.terminal!;
            assert.equal(done.event, "done");
            assert.equal((done.data as any).status, "cancelled");
            assert.ok(s.reply.endsWith("\n\n> [!warning]- stopped\n\n### User:\n\n"));
            assert.equal(s.reply, (done.data as any).reply);
            assert.ok(read("stop").endsWith(s.reply));
            assert.ok(read("stop").includes("Once"));
            assert.equal((await call(d, "/v1/chat/cancel", { body: { filename: "stop" } })).body.cancelled, false);
        });
    });

    describe("writers", () => {
        it("writer editor: the daemon leaves the note to the client and returns the final text", async () => {
            put("editor", "written by the editor\n");
            const s = await stream(d, { filename: "editor", writer: "editor" });
            const done = s.terminal!.data as any;
            assert.equal(read("editor"), "written by the editor\n");
            assert.equal(done.new_content, `${done.frontmatter}written by the editor${done.reply}`);
        });

        it("writer editor, client gone: the daemon finishes and writes into what is on disk, keeping the person's additions", async () => {
            put("gone", "question\n");
            d.fake.enqueue({ text: "a reply that takes a while to arrive", chunkSize: 4, chunkDelayMs: 25 });
            await stream(d, { filename: "gone", writer: "editor" }, (_event, reply) => (reply.includes("reply") ? "stop" : undefined));
            // The person keeps typing in the note on disk while the daemon finishes.
            writeFileSync(path("gone"), "question\n\nand one more thing\n");
            const final = await eventually(() => (read("gone").includes("### User:") ? read("gone") : false), 5000, "the daemon's write");
            assert.match(
                final,
                /^---\nagent: assistant\nconversation_id: [0-9a-f-]{36}\n---\nquestion\n\nand one more thing\n\n### Assistant:\n\na reply that takes a while to arrive\n\n### User:\n\n$/,
            );
        });

        it("writer editor, client gone after saving part of the reply: the part is replaced, not repeated", async () => {
            put("partial", "q\n");
            d.fake.enqueue({ text: "```js\nconst x = 1;\n```\nDone.", chunkSize: 3, chunkDelayMs: 25 });
            let partial = "";
            await stream(d, { filename: "partial", writer: "editor" }, (_event, reply) => {
                partial = reply;
                return reply.includes("const") ? "stop" : undefined;
            });
            // What an editor holding that partial reply would have saved.
            writeFileSync(path("partial"), `q${partial}`);
            const final = await eventually(() => (read("partial").includes("Done.") ? read("partial") : false), 5000, "the daemon's write");
            assert.equal(final.split("### Assistant:").length, 2, final);
            assert.ok(final.endsWith("q\n\n### Assistant:\n\n```js\nconst x = 1;\n```\nDone.\n\n### User:\n\n"), final);
        });

        it("writer daemon: edits made on disk during the turn are kept", async () => {
            put("daemonw", "question\n");
            d.fake.enqueue({ text: "slowly now", chunkSize: 2, chunkDelayMs: 30 });
            const s = stream(d, { filename: "daemonw" });
            await sleep(120);
            writeFileSync(path("daemonw"), "question\n\nadded meanwhile\n");
            const done = (await s).terminal!.data as any;
            assert.ok(done.new_content.endsWith("question\n\nadded meanwhile\n\n### Assistant:\n\nslowly now\n\n### User:\n\n"));
            assert.equal(read("daemonw"), done.new_content);
        });
    });
});
