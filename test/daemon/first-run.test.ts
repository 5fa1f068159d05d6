/**
 * The first ten minutes (issue 8): a daemon with no keys and no config says how to add an agent, the
 * welcome note gets the same sentence as a `no_agent` error, and once a config exists the same,
 * unedited note answers with only its question sent.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { parseNote } from "../../shared/note/parse";
import { conversationTurns } from "../../shared/note/turns";
import { assistantText, userText } from "../../daemon/messages";
import { planHistory } from "../../daemon/services/history";
import { call, eventually } from "../helpers/client";
import { LODGE_BIN, logLines, ROOT, scratch, testEnv } from "../helpers/daemon";
import { FakeLlm } from "../fakes/fake-llm";

interface Run {
    child: ChildProcess;
    out: () => string;
    err: () => string;
    url: string;
    token: string;
    stop(): Promise<void>;
}

/** `lodge start` as `npm start` runs it: the project's node_modules/.bin first on PATH, no keys, no --config. */
async function start(dir: string, env: Record<string, string> = {}): Promise<Run> {
    const child = spawn(
        process.execPath,
        [LODGE_BIN, "start", "--port", "0", "--data", join(dir, "data"), "--vault", join(dir, "vault"), "--print-token"],
        {
            env: testEnv({ PATH: `${join(ROOT, "node_modules", ".bin")}:/usr/bin:/bin`, HOME: join(dir, "home"), ...env }),
            cwd: dir,
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    await eventually(() => /plugin token: lodge_/.test(out) || child.exitCode !== null, 15_000, "start-up");
    assert.match(out, /plugin token: lodge_/, err);
    return {
        child,
        out: () => out,
        err: () => err,
        url: /listening on (\S+)/.exec(out)![1]!,
        token: /plugin token: (\S+)/.exec(out)![1]!,
        async stop() {
            child.kill("SIGTERM");
            if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
        },
    };
}

describe("first run", () => {
    it("no keys, no config: one line on how to add an agent, the welcome note's no_agent says it too; with a config the same note answers", async () => {
        const dir = scratch();
        const first = await start(dir);
        let howTo: string;
        try {
            const lines = first
                .out()
                .split("\n")
                .filter((l) => l.startsWith("no agents:"));
            assert.equal(lines.length, 1, first.out());
            howTo = lines[0]!;
            assert.match(howTo, /ANTHROPIC_API_KEY/);
            assert.ok(!/claude-code/.test(first.out()), "the project's own claude (node_modules/.bin) is not an agent");
            const r = await call(first, "/v1/chat", { body: { filename: "Chats/Welcome" } });
            assert.equal(r.status, 400);
            assert.equal(r.body.error.code, "no_agent");
            assert.equal(r.body.error.message, howTo);
        } finally {
            await first.stop();
        }
        const welcome = readFileSync(join(dir, "vault", "Chats", "Welcome.md"), "utf8");

        const fake = await FakeLlm.start();
        writeFileSync(
            join(dir, "data", "config.yaml"),
            YAML.stringify({
                agents: {
                    assistant: {
                        backend: "anthropic",
                        model: "claude-test",
                        base_url: fake.url,
                        api_key_env: "LODGE_TEST_KEY",
                        memory: false,
                    },
                },
            }),
        );
        const second = await start(dir);
        try {
            assert.equal(readFileSync(join(dir, "vault", "Chats", "Welcome.md"), "utf8"), welcome, "the note was not edited");
            const r = await call(second, "/v1/chat", { body: { filename: "Chats/Welcome" } });
            assert.equal(r.status, 200, JSON.stringify(r.body));
            assert.equal(r.body.status, "ok");
            const sent = fake.requests.filter((q) => q.api === "anthropic").at(-1)!.body;
            assert.deepEqual(
                sent.messages.map((m: any) => [
                    m.role,
                    typeof m.content === "string" ? m.content : m.content.map((b: any) => b.text).join(""),
                ]),
                [["user", "Hello! What can you help me with in my notes?"]],
                "only the question is a user turn: the explanation is a comment",
            );
            assert.match(
                readFileSync(join(dir, "vault", "Chats", "Welcome.md"), "utf8"),
                /### Assistant:\n\nFAKE\[n=1\] you said: Hello! What can you help me with in my notes\?\n\n### User:\n\n$/,
            );
        } finally {
            await second.stop();
            await fake.close();
        }
    });

    it("a note that failed before any text follows its removed agent to the default; a note with answered turns does not", async () => {
        const dir = scratch();
        const fake = await FakeLlm.start();
        const config = (agents: Record<string, unknown>) => writeFileSync(join(dir, "data", "config.yaml"), YAML.stringify({ agents }));
        const assistant = { backend: "anthropic", model: "claude-test", base_url: fake.url, api_key_env: "LODGE_TEST_KEY", memory: false };
        const note = join(dir, "vault", "Chats", "Q.md");
        // First: the default agent is a Claude Code that cannot run, as on a machine where it was never set up.
        const first = await start(dir);
        await first.stop();
        config({ cc: { backend: "claude-code", claude_path: join(dir, "no-such-claude") }, other: assistant });
        const broken = await start(dir);
        try {
            writeFileSync(note, "What is 2+2?\n");
            const r = await call(broken, "/v1/chat", { body: { filename: "Chats/Q" } });
            assert.equal(r.body.error.code, "backend_error", JSON.stringify(r.body));
            assert.match(
                readFileSync(note, "utf8"),
                /^---\nagent: cc\nconversation_id: \S+\n---\n/,
                "the failed note names its agent and its conversation",
            );
        } finally {
            await broken.stop();
        }
        config({ assistant });
        const fixed = await start(dir);
        try {
            const r = await call(fixed, "/v1/chat", { body: { filename: "Chats/Q" } });
            assert.equal(r.status, 200, JSON.stringify(r.body));
            assert.equal(r.body.agent, "assistant");
            assert.match(readFileSync(note, "utf8"), /^---\nagent: assistant\n/);
            assert.match(readFileSync(note, "utf8"), /FAKE\[n=1\] you said: What is 2\+2\?/);
            await eventually(
                () => logLines(fixed.err()).some((l) => /agent "cc" no longer exists .* the default agent "assistant" answers/.test(l.msg)),
                2000,
                "the log says so",
            );
            // The conversation has an answered turn now: a vanished agent is an error, not a silent switch.
            writeFileSync(note, `${readFileSync(note, "utf8").replace("agent: assistant", "agent: gone")}And 3+3?\n`);
            const gone = await call(fixed, "/v1/chat", { body: { filename: "Chats/Q" } });
            assert.equal(gone.status, 404);
            assert.equal(gone.body.error.code, "unknown_agent");
        } finally {
            await fixed.stop();
            await fake.close();
        }
    });
});

describe("comments and the stored history", () => {
    const note = (text: string) => conversationTurns(parseNote(text).turns);

    it("adding a comment to an earlier turn, or a reply that holds one, is no fork; the comment-free text is what is stored", () => {
        const stored = [userText("What is 2+2?"), assistantText("4 %%checked%% exactly"), userText("And 3+3?")];
        const plan = planHistory(
            stored,
            note(
                "What is 2+2? %%asked on Monday%%\n### Assistant:\n4 exactly\n### User:\n%%\nplan\n%%\nAnd 3+3?\n### Assistant:\n6\n### User:\nNext %%x%%",
            ),
        );
        assert.equal(plan.forkedAt, undefined);
        assert.equal(plan.keep, 3);
        assert.deepEqual(
            plan.pending.map((m) => (m.content[0] as { text: string }).text),
            ["6", "Next"],
        );
        // Editing the text outside the comment is still an edit.
        assert.equal(planHistory(stored, note("What is 2+3? %%asked%%\n### Assistant:\n4 exactly\n### User:\nAnd 3+3?")).forkedAt, 0);
    });
});
