/** Faults a hostile test found (issue 9) on the turn path: each is a test that failed before its fix. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultConfig, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { call, stream } from "../helpers/client";
import { FakeLlm } from "../fakes/fake-llm";
import { parseNote } from "../../shared/note/parse";

/** Reads an answer to its end. */
async function drain(res: Response): Promise<void> {
    const reader = res.body!.getReader();
    while (!(await reader.read()).done);
}

const KEY = "Zq8vTnW3secretKEYvalue42";

describe("turn path hardening (issue 9)", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    const file = (name: string): string => join(d.vault, `${name}.md`);
    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: defaultConfig(fake), env: { LODGE_TEST_KEY: KEY } });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    it("a reply with NUL, controls and lone surrogates is cleaned: the note stays a note and agrees with the history", async () => {
        writeFileSync(file("nul"), "Say something odd\n");
        fake.enqueue({ chunks: ["a\u0000b", "\u0007c\ud83d", "\ude00d\ud800", "e\r", "\nf"] });
        const r = await stream(d, { filename: "nul" });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal));
        const disk = readFileSync(file("nul"), "utf8");
        assert.ok(!/[\u0000-\u0008\r]/.test(disk), JSON.stringify(disk));
        assert.match(disk, /### Assistant:\n\nabc😀d\ufffde\nf\n\n### User:\n\n$/);
        assert.equal(r.reply, (r.terminal.data as { reply: string }).reply, "the deltas give the reply");
        const id = parseNote(disk).settings.conversation_id!;
        const history = (await call(d, `/v1/conversations/${id}`)).body;
        assert.equal(history.messages[1].content[0].text, "abc😀d\ufffde\nf");
        // The next turn is not refused as binary and does not fork.
        writeFileSync(file("nul"), `${disk}and again\n`);
        fake.enqueue({ text: "fine" });
        const next = await stream(d, { filename: "nul" });
        assert.equal(next.terminal?.event, "done", JSON.stringify(next.terminal));
        const after = (await call(d, `/v1/conversations/${id}`)).body;
        assert.equal(after.message_count, 4);
        assert.deepEqual((await call(d, `/v1/conversations/${id}/branches`)).body.items, [], "no fork");
    });

    for (const brk of ["\r", "\u2028", "\u2029"]) {
        it(`a reply line ${JSON.stringify(brk)}### User: is escaped, not a heading`, async () => {
            const name = `brk-${brk.charCodeAt(0)}`;
            writeFileSync(file(name), "Q\n");
            fake.enqueue({ text: `one${brk}### User:${brk}two` });
            const r = await stream(d, { filename: name });
            assert.equal(r.terminal?.event, "done");
            const turns = parseNote(readFileSync(file(name), "utf8")).turns;
            assert.deepEqual(
                turns.map((t) => t.role),
                ["user", "assistant", "user"],
            );
            assert.equal(turns[1]!.text, "one\n### User:\ntwo");
        });
    }

    it("a backend error that echoes the API key: the key is in no answer, event, callout, audit row or download", async () => {
        writeFileSync(file("leak"), "hello\n");
        for (const route of ["/v1/chat", "/v1/chat/stream"]) {
            fake.enqueue({ status: 400, errorMessage: `invalid x-api-key ${KEY} for this org` });
            const r = route === "/v1/chat" ? await call(d, route, { body: { filename: "leak" } }) : await stream(d, { filename: "leak" });
            const text = JSON.stringify(r.body ?? (r as { events: unknown }).events);
            assert.match(text, /invalid x-api-key/);
            assert.ok(!text.includes(KEY), `${route}: ${text}`);
        }
        const disk = readFileSync(file("leak"), "utf8");
        assert.match(disk, /\[!error\]/);
        assert.ok(!disk.includes(KEY), disk);
        const { Db } = await import("../../daemon/store/db");
        const db = await Db.open(join(d.data, "lodge.db"));
        const rows = await db.all<{ detail: string | null }>("SELECT detail FROM audit");
        await db.close();
        assert.ok(rows.some((row) => /invalid x-api-key/.test(row.detail ?? "")));
        assert.ok(rows.every((row) => !(row.detail ?? "").includes(KEY)));
        // A turn that succeeds after it: its zip carries the note with the callout.
        writeFileSync(file("leak"), `${readFileSync(file("leak"), "utf8")}\n\nagain\n`);
        fake.enqueue({ text: "ok now" });
        await stream(d, { filename: "leak" });
        const id = parseNote(readFileSync(file("leak"), "utf8")).settings.conversation_id!;
        const res = await fetch(`${d.url}/v1/conversations/${id}/download`, { headers: { authorization: `Bearer ${d.token}` } });
        const zip = join(scratch("lodge-zip-"), "c.zip");
        writeFileSync(zip, Buffer.from(await res.arrayBuffer()));
        const all = execFileSync("unzip", ["-p", zip], { encoding: "utf8" });
        assert.ok(!all.includes(KEY));
    });

    it("a CRLF note gets a CRLF reply, from both writers, and the editor's deltas agree with the file", async () => {
        for (const writer of ["daemon", "editor"] as const) {
            const name = `crlf-${writer}`;
            writeFileSync(file(name), "---\r\ntitle: crlf\r\n---\r\nQuestion\r\n");
            fake.enqueue({ text: "line one\nline two\n```\ncode" });
            const r = await stream(d, { filename: name, writer });
            const done = r.terminal!.data as { new_content: string; reply: string };
            assert.equal(r.reply, done.reply);
            assert.ok(!/(^|[^\r])\n/.test(done.new_content), JSON.stringify(done.new_content));
            if (writer === "daemon") assert.equal(readFileSync(file(name), "utf8"), done.new_content);
            assert.match(
                done.new_content,
                /^---\r\ntitle: crlf\r\nagent: assistant\r\nconversation_id: [\w-]+\r\n---\r\nQuestion\r\n\r\n### Assistant:\r\n\r\nline one\r\nline two\r\n```\r\ncode\r\n```\r\n\r\n### User:\r\n\r\n$/,
            );
        }
    });
});

describe("a large reply (issue 9)", () => {
    it("2 MB in 100-character deltas streams in seconds, /healthz answers throughout, SIGTERM mid-reply exits within 5 s", async function () {
        this.timeout(60_000);
        const fake = await FakeLlm.start();
        const d = await startDaemon({ fake });
        try {
            const line = "Some reply text, with `code`, *emphasis* and a [[link]] in a line of about eighty.\n";
            const text = line.repeat(30_000).slice(0, 2 * 1024 * 1024);
            const chunks: string[] = [];
            for (let i = 0; i < text.length; i += 100) chunks.push(text.slice(i, i + 100));
            writeFileSync(join(d.vault, "big.md"), "Q\n");
            fake.enqueue({ chunks });
            const t0 = performance.now();
            const res = await fetch(`${d.url}/v1/chat/stream`, {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${d.token}` },
                body: JSON.stringify({ filename: "big" }),
            });
            await drain(res);
            const ms = performance.now() - t0;
            assert.ok(ms < 15_000, `2 MB took ${Math.round(ms)} ms`);
            assert.ok(readFileSync(join(d.vault, "big.md"), "utf8").includes(text.trim()));
            // Now one that takes long, and a SIGTERM in the middle of it.
            writeFileSync(join(d.vault, "slow.md"), "Q\n");
            fake.enqueue({ chunks, chunkDelayMs: 1 });
            const slow = fetch(`${d.url}/v1/chat/stream`, {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${d.token}` },
                body: JSON.stringify({ filename: "slow" }),
            })
                .then(drain)
                .catch(() => undefined);
            await new Promise((resolve) => setTimeout(resolve, 1500));
            const h = performance.now();
            assert.equal((await fetch(`${d.url}/healthz`)).status, 200);
            assert.ok(performance.now() - h < 1000);
            const s0 = performance.now();
            const code = await d.stop();
            const stopMs = performance.now() - s0;
            await slow;
            assert.equal(code, 0);
            assert.ok(stopMs < 5000, `stopped in ${Math.round(stopMs)} ms`);
            assert.match(readFileSync(join(d.vault, "slow.md"), "utf8"), /> \[!warning\]- stopped\n\n### User:\n\n$/);
            console.log(`      2 MB reply in ${Math.round(ms)} ms; SIGTERM mid-reply: exit in ${Math.round(stopMs)} ms`);
        } finally {
            await d.stop();
            await fake.close();
        }
    });
});

describe("the tool-round cap (issue 9)", () => {
    it("max_tool_rounds is an agent key, checked at start", async () => {
        const { ConfigError, validateConfig } = await import("../../daemon/config");
        assert.equal(validateConfig({ agents: { a: { backend: "anthropic" } } }, "c.yaml").agents.a!.max_tool_rounds, 8);
        assert.equal(
            validateConfig({ agents: { a: { backend: "anthropic", max_tool_rounds: 3 } } }, "c.yaml").agents.a!.max_tool_rounds,
            3,
        );
        for (const bad of [0, -1, 2.5, "8"]) {
            assert.throws(
                () => validateConfig({ agents: { a: { backend: "anthropic", max_tool_rounds: bad } } }, "c.yaml"),
                (err: unknown) => err instanceof ConfigError && /max_tool_rounds/.test(err.message),
            );
        }
    });

    it("reaching it tells the person in a callout and keeps the rounds in the history", async () => {
        const fake = await FakeLlm.start();
        const config = defaultConfig(fake) as { agents: Record<string, Record<string, unknown>> };
        config.agents.assistant!.max_tool_rounds = 2;
        const d = await startDaemon({ fake, config });
        try {
            writeFileSync(join(d.vault, "tools.md"), "List my notes, forever.\n");
            fake.enqueue(
                { toolCalls: [{ name: "list_notes", input: {} }] },
                { toolCalls: [{ name: "list_notes", input: {} }] },
                { text: "never asked for" },
            );
            const r = await stream(d, { filename: "tools" });
            assert.equal(fake.requests.filter((q) => q.api === "anthropic").length, 2);
            assert.equal(r.terminal?.event, "error", JSON.stringify(r.terminal));
            assert.match((r.terminal.data as { message: string }).message, /2 tool rounds.*max_tool_rounds/);
            const disk = readFileSync(join(d.vault, "tools.md"), "utf8");
            assert.match(disk, /> \[!error\] .*2 tool rounds.*max_tool_rounds/);
            const id = parseNote(disk).settings.conversation_id!;
            const history = (await call(d, `/v1/conversations/${id}`)).body;
            assert.deepEqual(
                history.messages.map(
                    (m: { role: string; content: Array<{ type: string }> }) => `${m.role}:${m.content.map((b) => b.type).join(",")}`,
                ),
                ["user:text", "assistant:tool_use", "user:tool_result", "assistant:tool_use", "user:tool_result"],
            );
        } finally {
            await d.stop();
            await fake.close();
        }
    });
});

describe("the note changes under a running turn (issue 9)", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    const file = (name: string): string => join(d.vault, `${name}.md`);
    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: defaultConfig(fake) });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    /** Runs a turn on `name`, doing `meanwhile` once the reply has started. */
    async function turnWith(name: string, meanwhile: () => void): Promise<Awaited<ReturnType<typeof stream>>> {
        fake.enqueue({ chunks: ["The ", "answer ", "is ", "here."], chunkDelayMs: 60 });
        let done = false;
        return stream(d, { filename: name }, (event) => {
            if (event.event === "delta" && !done) {
                done = true;
                meanwhile();
            }
        });
    }

    it("renamed mid-turn, another chat note moved to its path: the reply goes to the renamed note, the other is untouched", async () => {
        const { renameSync } = await import("node:fs");
        writeFileSync(file("orig"), "---\nagent: assistant\n---\nFirst question\n");
        const other = "---\nagent: assistant\nconversation_id: 11111111-2222-3333-4444-555555555555\n---\nSomeone else's chat\n";
        writeFileSync(file("other"), other);
        const r = await turnWith("orig", () => {
            renameSync(file("orig"), file("renamed"));
            renameSync(file("other"), file("orig"));
        });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal));
        assert.equal(readFileSync(file("orig"), "utf8"), other, "the note now at the old path is untouched");
        const renamed = readFileSync(file("renamed"), "utf8");
        assert.match(renamed, /First question\n\n### Assistant:\n\nThe answer is here\.\n\n### User:\n\n$/);
        const id = (r.terminal.data as { conversation_id: string }).conversation_id;
        assert.equal(parseNote(renamed).settings.conversation_id, id);
        // Its next turn continues the conversation.
        writeFileSync(file("renamed"), `${renamed}And then?\n`);
        fake.enqueue({ text: "Then this." });
        const next = await stream(d, { filename: "renamed" });
        assert.equal((next.terminal!.data as { conversation_id: string }).conversation_id, id);
        assert.equal(fake.requests.at(-1)!.body.messages.length, 3);
    });

    it("a note with a conversation renamed mid-turn gets its reply at its new path", async () => {
        const { renameSync } = await import("node:fs");
        writeFileSync(file("has-id"), "A question\n");
        fake.enqueue({ text: "first" });
        await stream(d, { filename: "has-id" });
        writeFileSync(file("has-id"), `${readFileSync(file("has-id"), "utf8")}Another\n`);
        const r = await turnWith("has-id", () => renameSync(file("has-id"), join(d.vault, "moved-has-id.md")));
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal));
        assert.match(
            readFileSync(join(d.vault, "moved-has-id.md"), "utf8"),
            /Another\n\n### Assistant:\n\nThe answer is here\.\n\n### User:\n\n$/,
        );
    });

    for (const [label, replace] of [
        ["binary data", (path: string) => writeFileSync(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]))],
        [
            "a folder",
            (path: string) => {
                rmSync(path);
                mkdirSync(path);
            },
        ],
    ] as const) {
        it(`replaced by ${label} mid-turn: an error event says so, and the reply is in the history`, async () => {
            const name = `replaced-${label.replace(/ /g, "-")}`;
            writeFileSync(file(name), "Question\n");
            const r = await turnWith(name, () => replace(file(name)));
            assert.equal(r.terminal?.event, "error", JSON.stringify(r.terminal));
            assert.match((r.terminal.data as { message: string }).message, /replaced.*not written.*history/);
            const start = r.events.find((e) => e.event === "start")!.data as { conversation_id: string };
            const history = (await call(d, `/v1/conversations/${start.conversation_id}`)).body;
            assert.equal(history.messages.at(-1).content[0].text, "The answer is here.");
        });
    }
});
