/**
 * Transcript stripping over the real CLI's recorded transcripts, the store's never-shorter rule, and
 * what a turn says when no stored session has seen its history.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { historyFingerprint, newMessageText, promptWithHistory } from "../../daemon/backends/claude-code/history-prompt";
import { newSessionTranscriptPath, sanitizedProjectName, stripTranscript } from "../../daemon/backends/claude-code/transcript";
import type { CanonicalMessage } from "../../daemon/messages";
import { Db } from "../../daemon/store/db";
import { TranscriptStore } from "../../daemon/store/transcripts";
import { scratch } from "../helpers/daemon";

const FIXTURES = join(__dirname, "..", "fixtures", "claude-code");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");
const entries = (jsonl: string): any[] =>
    jsonl
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l));

/** Every entry's parent is an entry of the file (or null for the first): the chain the CLI walks. */
function assertChain(jsonl: string): void {
    const list = entries(jsonl);
    const uuids = new Set(list.map((e) => e.uuid));
    assert.equal(list[0].parentUuid, null);
    for (const e of list.slice(1)) assert.ok(uuids.has(e.parentUuid), `${e.type} ${e.uuid} points at a missing ${e.parentUuid}`);
}

describe("stripTranscript", () => {
    it("drops queue operations, last-prompt and mode entries and keeps the conversation byte for byte", () => {
        const raw = fixture("four-turns-resumed.jsonl");
        const s = stripTranscript(raw);
        const types = entries(s.text).map((e) => e.type);
        assert.deepEqual(types, [
            "user",
            "attachment",
            "attachment",
            "assistant",
            "user",
            "assistant",
            "user",
            "assistant",
            "user",
            "assistant",
        ]);
        assert.equal(s.entries, 10);
        assert.equal(s.hasAssistant, true);
        const original = new Set(raw.split("\n"));
        for (const line of s.text.trimEnd().split("\n")) assert.ok(original.has(line), "an unchanged entry keeps its exact line");
        assertChain(s.text);
    });

    it("keeps a tool round trip whole", () => {
        const s = stripTranscript(fixture("tool-use-bash.jsonl"));
        const kept = entries(s.text);
        assert.deepEqual(
            kept.map((e) => e.type),
            ["user", "attachment", "attachment", "assistant", "user", "assistant"],
        );
        assert.equal(kept[4].message.content[0].type, "tool_result");
        assertChain(s.text);
    });

    it("strips 2.1.330's bookkeeping (api-request, cost-state, atis-latch) and keeps an unbroken chain", () => {
        const raw = fixture("two-turns-2.1.330.jsonl");
        const s = stripTranscript(raw);
        const types = new Set(entries(s.text).map((e) => e.type));
        assert.deepEqual([...types].sort(), ["assistant", "attachment", "user"]);
        const bookkeeping = entries(raw).filter((e) => !["user", "assistant", "attachment"].includes(e.type)).length;
        assert.equal(s.entries, entries(raw).length - bookkeeping);
        assertChain(s.text);
    });

    it("drops an API error's synthetic answer: a failed first turn leaves nothing to resume", () => {
        const s = stripTranscript(fixture("api-error-500.jsonl"));
        assert.equal(s.hasAssistant, false);
        assert.deepEqual(
            entries(s.text).map((e) => e.type),
            ["user", "attachment", "attachment"],
        );
    });

    it("re-links the chain around dropped entries that had a uuid (progress, a synthetic error)", () => {
        const [user, , , answer] = entries(stripTranscript(fixture("four-turns-resumed.jsonl")).text);
        const progress = { type: "progress", uuid: "p-1", parentUuid: user.uuid, data: {} };
        const failed = {
            type: "assistant",
            uuid: "err-1",
            parentUuid: "p-1",
            isApiErrorMessage: true,
            message: { model: "<synthetic>", content: [] },
        };
        const next = { ...answer, parentUuid: "err-1" };
        const raw = [user, progress, failed, next].map((e) => JSON.stringify(e)).join("\n");
        const kept = entries(stripTranscript(raw).text);
        assert.deepEqual(
            kept.map((e) => e.uuid),
            [user.uuid, answer.uuid],
        );
        assert.equal(kept[1].parentUuid, user.uuid);
        assert.deepEqual({ ...kept[1], parentUuid: "err-1" }, next, "nothing else about the entry changes");
    });

    it("skips a torn last line and blank lines", () => {
        const raw = fixture("four-turns-resumed.jsonl");
        const s = stripTranscript(`${raw}\n\n{"type":"user","uuid":"x","parentUu`);
        assert.equal(s.entries, 10);
    });
});

describe("sanitizedProjectName", () => {
    it("follows the CLI's rule: every character but ASCII letters and digits becomes '-'", () => {
        assert.equal(sanitizedProjectName("/home/user/cc/work"), "-home-user-cc-work");
        assert.equal(sanitizedProjectName("/home/user/cc/wk/a.b_c d-e+f~g"), "-home-user-cc-wk-a-b-c-d-e-f-g");
        assert.equal(sanitizedProjectName("Ünï"), "-n-");
    });

    it("puts a new session under the CLI's config folder: CLAUDE_CONFIG_DIR, else ~/.claude", () => {
        assert.equal(
            newSessionTranscriptPath({ HOME: "/h" }, "/fallback", "/v/My Notes", "s1"),
            "/h/.claude/projects/-v-My-Notes/s1.jsonl",
        );
        assert.equal(newSessionTranscriptPath({}, "/fallback", "/v", "s1"), "/fallback/.claude/projects/-v/s1.jsonl");
        assert.equal(newSessionTranscriptPath({ HOME: "/h", CLAUDE_CONFIG_DIR: "/cfg" }, "/x", "/v", "s1"), "/cfg/projects/-v/s1.jsonl");
    });

    it("cuts names over 200 characters and adds a hash of the whole path", () => {
        const long = `/${"a".repeat(250)}`;
        const name = sanitizedProjectName(long);
        assert.match(name, /^-a{199}-[0-9a-z]+$/);
        assert.notEqual(name, sanitizedProjectName(`/${"a".repeat(249)}b`));
    });
});

describe("TranscriptStore.save", () => {
    it("replaces a session's transcript only with one at least as long, and finds sessions by fingerprint", async () => {
        const db = await Db.open(join(scratch(), "lodge.db"));
        try {
            await db.run("INSERT INTO conversations (id, agent, title, created_at, updated_at) VALUES ('c1', 'cc', '', '', '')");
            const store = new TranscriptStore(db);
            const base = { conversationId: "c1", sessionId: "s1", coversCount: 2, coversHash: "h2", entries: 4, transcript: "four\n" };
            assert.equal(await store.save(base), true);
            assert.equal(
                await store.save({ ...base, coversHash: "h4", entries: 3, transcript: "three\n" }),
                false,
                "a shorter file lost lines",
            );
            assert.equal((await store.find("c1", "h2"))?.transcript, "four\n");
            assert.equal(await store.save({ ...base, coversHash: "h4", entries: 6, transcript: "six\n" }), true);
            assert.equal(await store.find("c1", "h2"), undefined);
            assert.equal((await store.find("c1", "h4"))?.transcript, "six\n");
            await store.save({ ...base, sessionId: "s2", coversHash: "h1", entries: 1, transcript: "fork\n" });
            assert.deepEqual(
                (await store.sessions("c1")).map((s) => s.sessionId).sort(),
                ["s1", "s2"],
                "a fork's new session is kept beside the old one",
            );
        } finally {
            await db.close();
        }
    });
});

describe("history prompt", () => {
    const history: CanonicalMessage[] = [
        { role: "user", content: [{ type: "text", text: "list files" }] },
        {
            role: "assistant",
            content: [
                { type: "text", text: "Sure." },
                { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } },
            ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "a.md\n".repeat(1000), is_error: false }] },
        {
            role: "assistant",
            content: [
                { type: "thinking", thinking: "hm", signature: "sig" },
                { type: "text", text: "Two files." },
            ],
        },
        { role: "user", content: [{ type: "text", text: "thanks" }] },
    ];

    it("fingerprints what survives the database: the same after a JSON round trip, different when a text changes", () => {
        const earlier = history.slice(0, -1);
        assert.equal(historyFingerprint(JSON.parse(JSON.stringify(earlier))), historyFingerprint(earlier));
        const edited = JSON.parse(JSON.stringify(earlier));
        edited[0].content[0].text = "list all files";
        assert.notEqual(historyFingerprint(edited), historyFingerprint(earlier));
        assert.notEqual(historyFingerprint(earlier.slice(0, 2)), historyFingerprint(earlier));
    });

    it("carries the earlier turns, tool calls included, before the new message", () => {
        const prompt = promptWithHistory(history.slice(0, -1), newMessageText(history));
        assert.match(
            prompt,
            /^<conversation_history>\nUser: list files\nYou responded: Sure\.\nYou called tool: Bash \{"command":"ls"\}\nTool result: a\.md\n/,
        );
        assert.match(
            prompt,
            /… \[3000 more characters\]\nYou responded: Two files\.\n<\/conversation_history>\n\nNow, the user says:\nthanks$/,
        );
        assert.equal(promptWithHistory([], "hello"), "hello", "a first turn is the message alone");
    });
});
