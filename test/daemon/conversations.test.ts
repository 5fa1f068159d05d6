import assert from "node:assert/strict";
import { copyFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseNote } from "../../shared/note/parse";
import { conversationTurns } from "../../shared/note/turns";
import { planHistory } from "../../daemon/services/history";
import { assistantText, userText, type CanonicalMessage } from "../../daemon/messages";
import { ConversationStore } from "../../daemon/store/conversations";
import { Db } from "../../daemon/store/db";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";
import { stream } from "../helpers/client";

const texts = (messages: any[]) => messages.map((m) => [m.role, m.content.map((b: any) => b.text ?? b.type).join("|")]);

describe("planHistory", () => {
    const stored: CanonicalMessage[] = [
        userText("one"),
        {
            role: "assistant",
            content: [
                { type: "text", text: "first" },
                { type: "tool_use", id: "t1", name: "memory_insert", input: { label: "human" } },
            ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
        assistantText("reply\n```\ncode"),
        userText("two"),
        assistantText("second"),
    ];
    const note = (text: string) => conversationTurns(parseNote(text).turns);
    /** What the backend is sent (turn-request.ts, before memory adds to it): the kept prefix, then the pending messages. */
    const sent = (plan: { keep: number; pending: CanonicalMessage[] }) => [...stored.slice(0, plan.keep), ...plan.pending];

    it("sends the stored history on when the note only added a user turn, tool rounds included", () => {
        const plan = planHistory(
            stored,
            note(
                "one\n### Assistant:\nfirst\n\n> [!tool]- memory_insert human\n> ok\n\nreply\n```\ncode\n```\n### User:\n  two \n### Assistant:\nsecond\n### User:\nthree",
            ),
        );
        assert.equal(plan.keep, 6);
        assert.equal(plan.forkedAt, undefined);
        assert.deepEqual(texts(sent(plan)).at(-1), ["user", "three"]);
        assert.equal(sent(plan).length, 7);
    });

    it("forks at the first message that differs when an earlier turn was edited", () => {
        const plan = planHistory(stored, note("one\n### Assistant:\nfirst\n\nreply\n```\ncode\n```\n### User:\nTWO (edited)"));
        assert.equal(plan.forkedAt, 4);
        assert.deepEqual(texts(sent(plan)).slice(4), [["user", "TWO (edited)"]]);
    });

    it("forks after the last kept user turn when the person removed the reply to get another", () => {
        const plan = planHistory(stored, note("one\n### Assistant:\nfirst\nreply\n```\ncode\n```\n### User:\ntwo"));
        assert.equal(plan.forkedAt, 5);
        assert.deepEqual(texts(sent(plan)).at(-1), ["user", "two"]);
        assert.equal(sent(plan).length, 5);
    });

    it("forks at the start when the first turn changed", () => {
        const plan = planHistory(stored, note("uno"));
        assert.equal(plan.forkedAt, 0);
        assert.deepEqual(texts(sent(plan)), [["user", "uno"]]);
    });
});

describe("conversations", () => {
    let d: StartedDaemon;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stop();
    });

    const file = (name: string) => join(d.vault, `${name}.md`);
    async function send(name: string) {
        const r = await stream(d, { filename: name });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal));
        return r.terminal.data as any;
    }
    async function inDb<T>(fn: (store: ConversationStore) => Promise<T>): Promise<T> {
        const db = await Db.open(join(d.data, "lodge.db"));
        try {
            return await fn(new ConversationStore(db));
        } finally {
            await db.close();
        }
    }

    it("forks when an earlier turn is edited, keeps the earlier branch whole, and sends the stored prefix", async () => {
        writeFileSync(file("fork"), "first question");
        const one = await send("fork");
        writeFileSync(file("fork"), `${readFileSync(file("fork"), "utf8")}second question`);
        await send("fork");
        const text = readFileSync(file("fork"), "utf8").replace("second question", "second question, edited");
        writeFileSync(file("fork"), text.slice(0, text.lastIndexOf("\n\n### Assistant:")));
        const three = await send("fork");
        assert.equal(three.conversation_id, one.conversation_id);
        assert.deepEqual(texts(d.fake.requests.at(-1)!.body.messages), [
            ["user", "first question"],
            ["assistant", "FAKE[n=1] you said: first question"],
            ["user", "second question, edited"],
        ]);
        const [branches, messages] = await inDb(
            async (s) => [await s.branches(one.conversation_id), await s.messages(one.conversation_id)] as const,
        );
        assert.equal(branches.length, 1);
        assert.equal(branches[0]!.forked_at, 2);
        assert.equal(branches[0]!.message_count, 4);
        const kept = await inDb((s) => s.branch(one.conversation_id, branches[0]!.branch_id));
        assert.deepEqual(
            texts(kept!.messages).map((m) => m[1]),
            ["first question", "FAKE[n=1] you said: first question", "second question", "FAKE[n=3] you said: second question"],
        );
        assert.deepEqual(
            texts(messages).map((m) => m[1]),
            [
                "first question",
                "FAKE[n=1] you said: first question",
                "second question, edited",
                "FAKE[n=3] you said: second question, edited",
            ],
        );
    });

    it("gives a copied note a new conversation that forks from the original", async () => {
        writeFileSync(file("original"), "shared start");
        const original = await send("original");
        copyFileSync(file("original"), file("copy"));
        writeFileSync(file("copy"), `${readFileSync(file("copy"), "utf8")}a different direction`);
        const copy = await send("copy");
        assert.notEqual(copy.conversation_id, original.conversation_id);
        assert.match(readFileSync(file("copy"), "utf8"), new RegExp(`conversation_id: ${copy.conversation_id}`));
        assert.match(readFileSync(file("original"), "utf8"), new RegExp(`conversation_id: ${original.conversation_id}`));
        assert.equal(d.fake.requests.at(-1)!.body.messages.length, 3, "the copy carries the original's history");
        const row = await inDb((s) => s.get(copy.conversation_id));
        assert.equal(row!.parent_id, original.conversation_id);
        assert.equal(row!.note_path, "copy.md");
    });

    it("follows a renamed note instead of forking it", async () => {
        writeFileSync(file("before-rename"), "hello");
        const first = await send("before-rename");
        renameSync(file("before-rename"), file("after-rename"));
        writeFileSync(file("after-rename"), `${readFileSync(file("after-rename"), "utf8")}again`);
        const second = await send("after-rename");
        assert.equal(second.conversation_id, first.conversation_id);
        const row = await inDb((s) => s.get(first.conversation_id));
        assert.equal(row!.note_path, "after-rename.md");
        assert.equal(row!.title, "after-rename");
        assert.equal(row!.message_count, 4);
    });

    it("mints a new conversation for an unknown id and uses the frontmatter title", async () => {
        writeFileSync(file("unknown-id"), "---\ntitle: My Trip\nconversation_id: not-a-known-id\n---\nhello");
        const r = await send("unknown-id");
        assert.notEqual(r.conversation_id, "not-a-known-id");
        assert.match(r.frontmatter, new RegExp(`^---\ntitle: My Trip\nconversation_id: ${r.conversation_id}\nagent: assistant\n---\n$`));
        assert.equal((await inDb((s) => s.get(r.conversation_id)))!.title, "My Trip");
    });

    it("treats a numeric conversation_id as an unknown id", async () => {
        writeFileSync(file("numeric-id"), "---\nconversation_id: 12345\n---\nhello");
        const r = await send("numeric-id");
        assert.match(r.conversation_id, /^[0-9a-f-]{36}$/);
        assert.match(
            readFileSync(file("numeric-id"), "utf8"),
            new RegExp(`^---\nconversation_id: ${r.conversation_id}\nagent: assistant\n---\n`),
        );
    });

    it("stores nothing for a turn that produced no text, so a retry is not a fork", async () => {
        writeFileSync(file("retry"), "try this");
        d.fake.enqueue(...Array.from({ length: 4 }, () => ({ status: 500, retryAfter: "0" })));
        const failed = await stream(d, { filename: "retry" });
        assert.equal(failed.terminal!.event, "error");
        const retried = await send("retry");
        assert.equal(retried.conversation_id, (failed.events[0]!.data as any).conversation_id);
        assert.equal((await inDb((s) => s.branches(retried.conversation_id))).length, 0);
        assert.deepEqual(texts(d.fake.requests.at(-1)!.body.messages), [["user", "try this"]]);
        const final = readFileSync(file("retry"), "utf8");
        assert.equal(final.split("### Assistant:").length, 2, "the retry's reply took the failed turn's place");
        assert.ok(!final.includes("[!error]"), final);
    });
});

describe("sameText", () => {
    it("treats runs of whitespace as one space and ignores the ends", async () => {
        const { sameText } = await import("../../daemon/services/history");
        assert.ok(sameText("a  b\n\nc", " a b c "));
        assert.ok(sameText("a\tb", "a b"));
        assert.ok(!sameText("ab", "a b"));
        assert.ok(!sameText("a b", "a bc"));
        assert.ok(sameText("", "  \n"));
        assert.ok(!sameText("x", ""));
    });
});
