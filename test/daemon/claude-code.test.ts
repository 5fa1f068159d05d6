/**
 * `backend: claude-code` end to end: the real CLI (the pinned dev dependency) run by the built daemon,
 * talking to the FakeLlm, with HOME in a scratch folder so the tester's own ~/.claude is never read.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Db } from "../../daemon/store/db";
import { FakeLlm } from "../fakes/fake-llm";
import { call, eventually, sleep, stream } from "../helpers/client";
import { ROOT, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { offlineClaudeEnv } from "../helpers/claude-code-env";

const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");

/** Processes whose command line contains `marker` (their pids): what a test leaves running. */
function claudeProcesses(marker: string): Promise<number[]> {
    return new Promise((resolve, reject) => {
        execFile("ps", ["-A", "-o", "pid=,args="], (err: Error | null, stdout) => {
            if (err) return reject(err);
            const pids = stdout
                .split("\n")
                .filter((line) => line.includes(marker))
                .map((line) => Number(line.trim().split(/\s+/)[0]));
            resolve(pids);
        });
    });
}

/**
 * The conversation a request to the model carried, as [role, text] pairs: the CLI's own additions
 * (its `system` messages and `<system-reminder>` blocks) and tool-only messages left out.
 */
function requestTexts(body: any): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const m of body.messages ?? []) {
        if (m.role !== "user" && m.role !== "assistant") continue;
        const blocks = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
        const texts = blocks
            .filter((b: any) => b.type === "text" && !b.text.startsWith("<system-reminder>"))
            .map((b: any) => b.text as string);
        if (texts.length > 0) out.push([m.role, texts.join("\n")]);
    }
    return out;
}

describe("backend: claude-code (the real CLI)", function () {
    this.timeout(30_000);
    let fake: FakeLlm;
    let home: string;
    let d: StartedDaemon;
    const marker = `lodge-cc-${process.pid}-${Date.now()}`;

    function agent(extra: Record<string, unknown> = {}): Record<string, unknown> {
        return {
            backend: "claude-code",
            claude_path: CLAUDE,
            system: `You live in notes. ${marker}`,
            memory: false,
            request_timeout_ms: 15_000,
            env: offlineClaudeEnv(fake, home),
            ...extra,
        };
    }

    async function start(extra: Record<string, unknown> = {}, reuse?: StartedDaemon): Promise<StartedDaemon> {
        return startDaemon({
            fake,
            config: {
                default_agent: "claude",
                agents: {
                    claude: agent(extra),
                    broken: agent({ claude_path: "/nonexistent/bin/claude" }),
                    noexec: agent({ claude_path: join(home, "not-a-program") }),
                    bogus: agent({ permission_mode: "bogus" }),
                    remembering: agent({ memory: true }),
                },
            },
            vault: reuse?.vault,
            data: reuse?.data,
        });
    }

    const notePath = (name: string): string => join(d.vault, "Chats", `${name}.md`);
    const read = (name: string): string => readFileSync(notePath(name), "utf8");
    function put(name: string, text: string): string {
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        writeFileSync(notePath(name), text);
        return `Chats/${name}`;
    }
    const append = (name: string, text: string): void => writeFileSync(notePath(name), `${read(name)}${text}\n`);
    const modelRequests = () => fake.requests.filter((r) => r.api === "anthropic");

    before(async () => {
        fake = await FakeLlm.start();
        home = scratch("lodge-cc-home-");
        writeFileSync(join(home, "not-a-program"), "plain text, mode 644");
        d = await start();
    });
    after(async () => {
        await d.stop();
        await fake.close();
        assert.deepEqual(await claudeProcesses(marker), [], "no claude process outlives the tests");
    });

    describe("a conversation across turns, restarts and a wiped ~/.claude", () => {
        let conversationId = "";
        let sessionHeader = "";
        let fallbackSession = "";

        it("one turn: the answer streams into the note, with the agent's system prompt appended", async () => {
            const file = put("chat", "Hello Claude\n");
            const r = await stream(d, { filename: file });
            const done = r.terminal!.data as any;
            assert.equal(r.terminal!.event, "done", JSON.stringify(r.terminal));
            assert.equal(done.reply, "\n\n### Assistant:\n\nFAKE[n=2] you said: Hello Claude\n\n### User:\n\n");
            assert.ok(r.events.filter((e) => e.event === "delta").length >= 3, "the reply arrives in pieces");
            assert.equal(read("chat"), done.new_content);
            conversationId = done.conversation_id;
            const sent = modelRequests().at(-1)!;
            assert.ok(JSON.stringify(sent.body.system).includes(marker), "--append-system-prompt carries the agent's system");
            sessionHeader = String(sent.headers["x-claude-code-session-id"]);
            assert.match(sessionHeader, /^[0-9a-f-]{36}$/);
            assert.notEqual(sessionHeader, conversationId, "the session id is the daemon's own, not the conversation id");
        });

        it("a second turn resumes the session: the fake receives the first turn as real messages", async () => {
            append("chat", "What did I say first?");
            const r = await stream(d, { filename: "Chats/chat" });
            assert.equal(
                (r.terminal!.data as any).reply,
                "\n\n### Assistant:\n\nFAKE[n=4] you said: What did I say first?\n\n### User:\n\n",
            );
            const sent = modelRequests().at(-1)!;
            assert.deepEqual(
                requestTexts(sent.body).map(([role, text]) => [role, text]),
                [
                    ["user", "Hello Claude"],
                    ["assistant", "FAKE[n=2] you said: Hello Claude"],
                    ["user", "What did I say first?"],
                ],
            );
            assert.equal(sent.headers["x-claude-code-session-id"], sessionHeader, "the same CLI session");
        });

        it("after a restart, a wiped ~/.claude and another working folder, a third turn still carries both", async () => {
            await d.stop();
            rmSync(join(home, ".claude"), { recursive: true, force: true });
            rmSync(join(home, ".claude.json"), { force: true });
            const elsewhere = scratch("lodge-cc-cwd-");
            d = await start({ cwd: elsewhere }, d);
            append("chat", "And now?");
            const r = await stream(d, { filename: "Chats/chat" });
            assert.equal((r.terminal!.data as any).conversation_id, conversationId);
            assert.match((r.terminal!.data as any).reply, /FAKE\[n=6\] you said: And now\?/);
            const sent = modelRequests().at(-1)!;
            assert.deepEqual(
                requestTexts(sent.body).map(([, text]) => text),
                [
                    "Hello Claude",
                    "FAKE[n=2] you said: Hello Claude",
                    "What did I say first?",
                    "FAKE[n=4] you said: What did I say first?",
                    "And now?",
                ],
            );
            assert.equal(sent.headers["x-claude-code-session-id"], sessionHeader);
            const projects = join(home, ".claude", "projects");
            const written = existsSync(projects)
                ? readdirSync(projects, { recursive: true })
                      .map(String)
                      .filter((f) => f.endsWith(".jsonl"))
                : [];
            assert.deepEqual(written, [], "a resumed turn writes no transcript into ~/.claude/projects");
        });

        it("a transcript the CLI refuses falls back to a new session whose prompt carries the earlier turns", async () => {
            const db = await Db.open(join(d.data, "lodge.db"));
            await db.run("UPDATE claude_code_sessions SET transcript = ? WHERE conversation_id = ?", [
                "not a transcript\n",
                conversationId,
            ]);
            await db.close();
            append("chat", "Still there?");
            const r = await stream(d, { filename: "Chats/chat" });
            assert.equal(r.terminal!.event, "done");
            const sent = modelRequests().at(-1)!;
            assert.notEqual(sent.headers["x-claude-code-session-id"], sessionHeader, "a new session");
            const [role, prompt] = requestTexts(sent.body)[0]!;
            assert.equal(role, "user");
            assert.match(prompt, /^<conversation_history>\nUser: Hello Claude\nYou responded: FAKE\[n=2\] you said: Hello Claude\n/);
            assert.match(
                prompt,
                /You responded: FAKE\[n=6\] you said: And now\?\n<\/conversation_history>\n\nNow, the user says:\nStill there\?$/,
            );
            // The new session is stored too, and the next turn resumes it rather than falling back again.
            append("chat", "One more.");
            await stream(d, { filename: "Chats/chat" });
            const next = modelRequests().at(-1)!;
            assert.equal(next.headers["x-claude-code-session-id"], sent.headers["x-claude-code-session-id"]);
            const texts = requestTexts(next.body).map(([, t]) => t);
            assert.equal(texts.length, 3);
            assert.match(texts[0]!, /^<conversation_history>/);
            assert.match(texts[1]!, /^FAKE\[n=2\] you said: <conversation_history>/);
            assert.equal(texts[2], "One more.");
            fallbackSession = String(next.headers["x-claude-code-session-id"]);
        });

        it("a failed turn leaves the stored session as it was, and the next turn resumes it", async () => {
            append("chat", "Break now.");
            fake.enqueue({ status: 500 });
            const failed = await stream(d, { filename: "Chats/chat" });
            assert.equal(failed.terminal!.event, "error");
            // An error leaves no scaffold: the person starts the next user turn themselves.
            append("chat", "\n\n### User:\n\nBetter now?");
            const r = await stream(d, { filename: "Chats/chat" });
            assert.equal(r.terminal!.event, "done");
            const sent = modelRequests().at(-1)!;
            assert.equal(sent.headers["x-claude-code-session-id"], fallbackSession);
            const texts = requestTexts(sent.body).map(([, t]) => t);
            assert.deepEqual(texts.slice(2), ["One more.", "FAKE[n=4] you said: One more.", "Break now.\n\nBetter now?"]);
            assert.equal(existsSync(join(d.data, "claude-code", conversationId)), false, "the restored file only lives for the turn");
        });
    });

    it("an agent with memory gets its memory blocks through --append-system-prompt", async () => {
        const file = put("memory", "---\nagent: remembering\n---\nWho are you?\n");
        const r = await stream(d, { filename: file });
        assert.equal(r.terminal!.event, "done");
        const system = JSON.stringify(modelRequests().at(-1)!.body.system);
        assert.ok(system.includes(marker), "the agent's own system prompt");
        assert.match(system, /<memory_blocks>[^]*The persona block/);
    });

    it("a tool round trip: the Bash call becomes a [!tool] callout and enters the history sent next time", async () => {
        const file = put("tool", "Say hi with bash\n");
        fake.enqueue({ text: "Let me run it.", toolCalls: [{ id: "toolu_hi", name: "Bash", input: { command: "echo hi" } }] });
        const r = await stream(d, { filename: file });
        const done = r.terminal!.data as any;
        assert.equal(
            done.reply,
            "\n\n### Assistant:\n\nLet me run it.\n\n> [!tool]- Bash echo hi\n> hi\n\nFAKE tool result: hi\n\n### User:\n\n",
        );
        const db = await Db.open(join(d.data, "lodge.db"));
        const rows = await db.all<{ role: string; content: string }>(
            "SELECT role, content FROM messages WHERE conversation_id = ? ORDER BY seq",
            [done.conversation_id],
        );
        await db.close();
        assert.deepEqual(
            rows.map((m) => [m.role, JSON.parse(m.content)]),
            [
                ["user", [{ type: "text", text: "Say hi with bash" }]],
                [
                    "assistant",
                    [
                        { type: "text", text: "Let me run it." },
                        { type: "tool_use", id: "toolu_hi", name: "Bash", input: { command: "echo hi" } },
                    ],
                ],
                ["user", [{ type: "tool_result", tool_use_id: "toolu_hi", content: "hi", is_error: false }]],
                ["assistant", [{ type: "text", text: "FAKE tool result: hi" }]],
            ],
        );
        append("tool", "Again?");
        await stream(d, { filename: "Chats/tool" });
        const sent = modelRequests()
            .at(-1)!
            .body.messages.filter((m: any) => m.role !== "system");
        const blocks = sent.flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).map((b: any) => b.type);
        assert.ok(
            blocks.includes("tool_use") && blocks.includes("tool_result"),
            `the resumed session sends the tool round: ${blocks.join(",")}`,
        );
    });

    it("an API error becomes an [!error] callout with the CLI's own message", async () => {
        const file = put("apierr", "Fail please\n");
        fake.enqueue({ status: 500, errorMessage: "the fake is down" });
        const r = await stream(d, { filename: file });
        assert.equal(r.terminal!.event, "error");
        assert.equal((r.terminal!.data as any).code, "backend_error");
        assert.match(r.reply, /\n\n### Assistant:\n\n> \[!error\] Claude Code: API Error: 500 the fake is down/);
        assert.ok(read("apierr").endsWith(r.reply));
    });

    it("an overloaded API is backend_unavailable and a partial reply is kept above the error", async () => {
        const file = put("partial", "Tell me more\n");
        // A torn stream: the CLI shows what came and retries without streaming, which is overloaded.
        // The delay lets the first chunk reach the CLI well before the connection is torn.
        fake.enqueue({ text: "The first part of the answer", chunkSize: 5, chunkDelayMs: 150, dropAfterChunks: 2 }, { status: 529 });
        const r = await stream(d, { filename: file });
        assert.equal((r.terminal!.data as any).code, "backend_unavailable");
        assert.match(r.reply, /^\n\n### Assistant:\n\nThe f[^]*\n\n> \[!error\] Claude Code: API Error: 529 Overloaded/);
        assert.ok(read("partial").endsWith(r.reply));
    });

    it("a missing CLI is a clear sentence in the note, not a stack trace", async () => {
        const file = put("missing", "---\nagent: broken\n---\nAnyone there?\n");
        const r = await stream(d, { filename: file });
        assert.equal(r.terminal!.event, "error");
        assert.equal(
            r.reply,
            "\n\n### Assistant:\n\n> [!error] the Claude Code CLI was not found at /nonexistent/bin/claude: install Claude Code (npm i -g @anthropic-ai/claude-code) or set claude_path",
        );
        assert.doesNotMatch(d.stderr(), /at .*\.cjs:\d+/);
        const noexec = await stream(d, { filename: put("noexec", "---\nagent: noexec\n---\nHello?\n") });
        assert.match(noexec.reply, /> \[!error\] the Claude Code CLI at \S+not-a-program is not executable: check claude_path$/);
    });

    it("a CLI that exits with an error and no result shows its own stderr in the [!error] callout", async () => {
        const r = await stream(d, { filename: put("bogus", "---\nagent: bogus\n---\nHello?\n") });
        assert.equal((r.terminal!.data as any).code, "backend_error");
        assert.match(r.reply, /> \[!error\] Claude Code: error: option '--permission-mode <mode>' argument 'bogus' is invalid\./);
    });

    it("cancelling mid-turn ends the CLI and the tool it was running, and the note says stopped", async () => {
        const sleeper = `sleep 29.${process.pid % 1000}7`;
        const file = put("cancel", "Run the long thing\n");
        fake.enqueue({ text: "Starting.", toolCalls: [{ name: "Bash", input: { command: sleeper } }] });
        let cancelled: Promise<unknown> | null = null;
        const running = stream(d, { filename: file }, (event) => {
            if (event.event === "delta" && JSON.stringify(event.data).includes("[!tool]") && !cancelled) {
                cancelled = (async () => {
                    await eventually(async () => (await claudeProcesses(sleeper)).length > 0, 5000, "the tool to start");
                    return call(d, "/v1/chat/cancel", { body: { filename: file } });
                })();
            }
        });
        const r = await running;
        assert.equal(((await cancelled!) as any).body.cancelled, true);
        assert.equal((r.terminal!.data as any).status, "cancelled");
        assert.match(
            read("cancel"),
            /Starting\.\n\n> \[!tool\]- Bash sleep 29\.\d+7\n> error: stopped\n\n> \[!warning\]- stopped\n\n### User:\n\n$/,
        );
        // The history never keeps a tool call without its result: the next turn's API would refuse it.
        const db = await Db.open(join(d.data, "lodge.db"));
        const rows = await db.all<{ role: string; content: string }>(
            "SELECT role, content FROM messages WHERE conversation_id = ? ORDER BY seq",
            [(r.terminal!.data as any).conversation_id],
        );
        await db.close();
        assert.deepEqual(
            rows.map((m) => [m.role, JSON.parse(m.content).map((b: any) => b.type)]),
            [
                ["user", ["text"]],
                ["assistant", ["text", "tool_use"]],
                ["user", ["tool_result"]],
            ],
        );
        assert.equal(JSON.parse(rows[2]!.content)[0].is_error, true);
        await sleep(200);
        assert.deepEqual(await claudeProcesses(sleeper), [], "the tool's process is gone");
        assert.deepEqual(await claudeProcesses(marker), [], "the CLI is gone");
    });

    it("a CLI that says nothing for request_timeout_ms is stopped with an [!error] callout", async () => {
        // A fake of its own that never answers: a hang left queued on the shared one would stall later
        // tests if a slow machine's CLI were stopped before it even asked.
        const silent = await FakeLlm.start();
        silent.setDefault({ hang: true });
        const env = { ...(agent().env as Record<string, string>), ANTHROPIC_BASE_URL: silent.url };
        const quiet = await start({ request_timeout_ms: 1500, env });
        try {
            mkdirSync(join(quiet.vault, "Chats"), { recursive: true });
            writeFileSync(join(quiet.vault, "Chats", "quiet.md"), "Anyone?\n");
            const r = await stream(quiet, { filename: "Chats/quiet" });
            assert.equal((r.terminal!.data as any).code, "backend_unavailable");
            assert.match(r.reply, /> \[!error\] the Claude Code CLI printed nothing for 2 s and was stopped$/);
            assert.deepEqual(await claudeProcesses(marker), []);
        } finally {
            await quiet.stop();
            await silent.close();
        }
    });
});
