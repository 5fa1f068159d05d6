/**
 * docs/notes.md's failed-turn rule through the real daemon and the fake model server: a turn that fails (or
 * is stopped) before any text leaves no scaffold and is retried in place by the next save; one that
 * fails after some text keeps it, with the callout and the scaffold, and the next turn goes on.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { call, stream, type StreamResult } from "../helpers/client";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";

const texts = (messages: any[]) => messages.map((m) => [m.role, m.content.map((b: any) => b.text ?? b.type).join("|")]);

describe("a failed turn (docs/notes.md)", () => {
    let d: StartedDaemon;
    before(async () => {
        d = await startDaemon();
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
    });
    after(async () => {
        await d.stop();
    });

    const path = (name: string): string => join(d.vault, "Chats", `${name}.md`);
    const read = (name: string): string => readFileSync(path(name), "utf8");
    const start = (r: StreamResult): any => r.events.find((e) => e.event === "start")!.data;
    const lastSent = (): any[] => d.fake.requests.filter((r) => r.api !== "other").at(-1)!.body.messages;

    it("before any text: an unfolded [!error] callout and no scaffold; saving again replaces it with the reply (writer daemon)", async () => {
        writeFileSync(path("fails"), "What is the capital of France?\n");
        d.fake.enqueue({ status: 400, errorMessage: "refused by the model" });
        const failed = await stream(d, { filename: "Chats/fails" });
        assert.equal(failed.terminal!.event, "error");
        const afterFailure = read("fails");
        assert.match(afterFailure, /\nWhat is the capital of France\?\n\n### Assistant:\n\n> \[!error\] [^\n]*refused by the model$/);
        assert.ok(afterFailure.endsWith(failed.reply), "the client holds what the daemon wrote");

        d.fake.enqueue({ text: "Paris.", chunkSize: 2 });
        const retried = await stream(d, { filename: "Chats/fails" });
        const done = retried.terminal!.data as any;
        assert.equal(done.status, "ok");
        const question = afterFailure.indexOf("What is the capital of France?");
        assert.equal(
            start(retried).anchor,
            question + "What is the capital of France?".length,
            "the reply starts where the failed turn did",
        );
        assert.equal(retried.reply, "\n\n### Assistant:\n\nParis.\n\n### User:\n\n");
        assert.equal(read("fails"), done.new_content);
        assert.equal(
            done.new_content,
            afterFailure.slice(0, start(retried).anchor) + retried.reply,
            "anchor and deltas rebuild new_content",
        );
        assert.deepEqual(texts(lastSent()), [["user", "What is the capital of France?"]], "the question went once, the failure not at all");

        // The next turn sees one question and one answer: no fork, no repeated user message.
        writeFileSync(path("fails"), `${read("fails")}And of Italy?`);
        d.fake.enqueue({ text: "Rome." });
        const next = await stream(d, { filename: "Chats/fails" });
        assert.equal((next.terminal!.data as any).status, "ok");
        assert.deepEqual(texts(lastSent()), [
            ["user", "What is the capital of France?"],
            ["assistant", "Paris."],
            ["user", "And of Italy?"],
        ]);
        const branches = await call(d, `/v1/conversations/${done.conversation_id}/branches`);
        assert.deepEqual(branches.body.items, [], "no fork");
    });

    it("writer editor: start.anchor and the deltas replace the failed turn in the client's text, as done.new_content says", async () => {
        writeFileSync(path("editor"), "");
        d.fake.enqueue({ status: 400, errorMessage: "no thanks" });
        const failed = await stream(d, { filename: "Chats/editor", content: "Hello?\n", writer: "editor" });
        assert.equal(failed.terminal!.event, "error");
        // What the plugin holds now: its text with the reply put at the anchor (an error brings no frontmatter).
        const editor = `${"Hello?\n".slice(0, start(failed).anchor)}${failed.reply}\n`;
        assert.match(editor, /Hello\?\n\n### Assistant:\n\n> \[!error\] [^\n]*no thanks\n$/);

        d.fake.enqueue({ text: "Hi there." });
        const diskBefore = read("editor");
        const retried = await stream(d, { filename: "Chats/editor", content: editor, writer: "editor" });
        const done = retried.terminal!.data as any;
        assert.equal(done.status, "ok");
        assert.equal(start(retried).anchor, editor.indexOf("Hello?") + "Hello?".length);
        assert.equal(done.new_content, done.frontmatter + editor.slice(0, start(retried).anchor) + retried.reply);
        assert.equal(done.new_content.split("### Assistant:").length, 2, "exactly one assistant turn");
        assert.ok(!done.new_content.includes("[!error]"));
        assert.equal(read("editor"), editor, "the daemon wrote the submitted text, the reply is the editor's to write");
        assert.equal(diskBefore, "Hello?\n");
    });

    it("stopped before any text: like a failure, no scaffold, and the retry takes its place", async () => {
        writeFileSync(path("stopped"), "Think hard.");
        d.fake.enqueue({ hang: true });
        const cancels: Array<Promise<unknown>> = [];
        const stopped = await stream(d, { filename: "Chats/stopped" }, (event) => {
            if (event.event === "start") cancels.push(call(d, "/v1/chat/cancel", { body: { filename: "Chats/stopped" } }));
        });
        assert.equal(((await cancels[0]) as any).body.cancelled, true);
        assert.equal((stopped.terminal!.data as any).status, "cancelled");
        assert.ok(read("stopped").endsWith("Think hard.\n\n### Assistant:\n\n> [!warning]- stopped"), read("stopped"));
        d.fake.enqueue({ text: "Done thinking." });
        const retried = await stream(d, { filename: "Chats/stopped" });
        assert.ok(read("stopped").endsWith("Think hard.\n\n### Assistant:\n\nDone thinking.\n\n### User:\n\n"), read("stopped"));
        assert.equal(read("stopped"), (retried.terminal!.data as any).new_content);
    });

    it("text typed below a failed turn is a new user turn: the failed turn stays, the reply follows the person's text", async () => {
        writeFileSync(path("below"), "First question.");
        d.fake.enqueue({ status: 400, errorMessage: "nope" });
        await stream(d, { filename: "Chats/below" });
        const failedNote = read("below");
        writeFileSync(path("below"), `${failedNote}\n\nPlease try again, shorter.\n`);
        d.fake.enqueue({ text: "Short answer." });
        const r = await stream(d, { filename: "Chats/below" });
        assert.equal((r.terminal!.data as any).status, "ok");
        assert.deepEqual(texts(lastSent()), [["user", "First question.\n\nPlease try again, shorter."]]);
        assert.equal(read("below"), `${failedNote}\n\nPlease try again, shorter.${r.reply}`);
    });

    it("after some text: partial reply, callout, scaffold; the next turn goes on from the partial reply", async () => {
        writeFileSync(path("partial"), "Tell me a story.");
        d.fake.enqueue({ text: "Once upon a time there", chunkSize: 8, streamErrorAfterChunks: 2 });
        const failed = await stream(d, { filename: "Chats/partial" });
        assert.equal(failed.terminal!.event, "error");
        assert.match(read("partial"), /Tell me a story\.\n\n### Assistant:\n\nOnce upon a time\n\n> \[!error\] [^\n]+\n\n### User:\n\n$/);
        assert.ok(read("partial").endsWith(failed.reply));

        // Saving again with nothing typed has nothing to do: the scaffold is blank.
        const idle = await call(d, "/v1/chat", { body: { filename: "Chats/partial" } });
        assert.equal(idle.body.reason, "blank_user_turn");

        writeFileSync(path("partial"), `${read("partial")}Go on.`);
        const before = read("partial");
        d.fake.enqueue({ text: "there was a fox." });
        const next = await stream(d, { filename: "Chats/partial" });
        assert.equal(start(next).anchor, before.length);
        assert.equal(read("partial"), before + next.reply, "the partial turn and its callout stay");
        assert.deepEqual(texts(lastSent()), [
            ["user", "Tell me a story."],
            ["assistant", "Once upon a time"],
            ["user", "Go on."],
        ]);
    });
});
