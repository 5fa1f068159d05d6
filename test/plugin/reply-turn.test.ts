import assert from "node:assert/strict";
import { Transaction } from "@codemirror/state";
import { ReplyTurn } from "../../plugin/stream/reply-turn";
import { lodgeEdit } from "../../plugin/stream/editor-attachment";
import type { StreamEvent } from "../../shared/protocol/events";
import { applyDelta } from "../../shared/protocol/delta";
import { daemonDeltas, tokenize } from "./helpers/daemon-deltas";
import { FakeWorkspace } from "./helpers/fake-workspace";
import { settle } from "./helpers/fake-daemon";
import { rng } from "../helpers/random";

const FM = "---\nagent: assistant\nconversation_id: c-1\n---\n";

function events(question: string, tokens: string[], frontmatter = FM): { stream: StreamEvent[]; done: StreamEvent & { event: "done" } } {
    const { deltas, reply } = daemonDeltas(tokens);
    const body = question.replace(/^---\n[\s\S]*?\n---\n/, "");
    const done = {
        event: "done" as const,
        data: {
            status: "ok" as const,
            agent: "assistant",
            conversation_id: "c-1",
            reply,
            frontmatter,
            new_content: frontmatter + body.trimEnd() + reply,
        },
    };
    return {
        stream: [
            { event: "start", data: { agent: "assistant", conversation_id: "c-1", anchor: question.trimEnd().length } },
            ...deltas.map((d) => ({ event: "delta" as const, data: d })),
        ],
        done,
    };
}

const pluginTrs = (trs: readonly Transaction[]): Transaction[] => trs.filter((tr) => tr.annotation(lodgeEdit) && tr.docChanged);

describe("ReplyTurn", () => {
    it("applies all deltas that arrived within a frame as one transaction, outside the undo history", async () => {
        const ws = new FakeWorkspace();
        const view = ws.open("Chats/a.md", "Question?\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/a.md", view.asView(), view.doc);
        const { stream, done } = events(view.doc, tokenize("One two three four five six seven eight nine ten.", rng(3), 3));
        let frames = 0;
        for (const [i, event] of stream.entries()) {
            await turn.handle(event);
            if (i % 5 === 4) frames += ws.frame();
        }
        frames += ws.frame();
        const streamed = pluginTrs(view.log);
        assert.equal(streamed.length, frames, "one transaction per frame");
        assert.ok(frames < stream.length / 3, `${stream.length} events in ${frames} transactions`);
        for (const tr of streamed) assert.equal(tr.annotation(Transaction.addToHistory), false);
        assert.deepEqual(await turn.handle(done), { kind: "done", event: done.data });
        assert.equal(view.doc, done.data.new_content);
        assert.equal(ws.pendingFrames, 0, "no frame left behind");
    });

    it("spaces its flushes by their cost: the next frame after a pause, then 90 ms apart, more when a flush is dear", async () => {
        const ws = new FakeWorkspace();
        const view = ws.open("Chats/p.md", "Q?\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/p.md", view.asView(), view.doc);
        const { stream } = events(view.doc, ["a", "b", "c", "d", "e", "f"]);
        await turn.handle(stream[0]!);
        await turn.handle(stream[1]!);
        assert.deepEqual(ws.delays, [undefined], "the first flush goes with the next frame");
        ws.frame();
        ws.clock += 10;
        await turn.handle(stream[2]!);
        assert.equal(ws.delays.at(-1), 80, "then 90 ms after the last flush");
        ws.frame();
        ws.dispatchCost = 3; // a costly editor: 3 ms per transaction, 40 × 3 = 120 ms apart
        for (const event of stream.slice(3, 6)) {
            await turn.handle(event);
            ws.frame();
        }
        await turn.handle(stream[6]!);
        assert.ok(ws.delays.at(-1)! > 90 && ws.delays.at(-1)! <= 130, `spaced further apart: ${ws.delays.at(-1)} ms`);
    });

    it("ends with the whole reply as one undoable step whose undo gives back the note as sent plus the person's edits", async () => {
        const ws = new FakeWorkspace();
        const view = ws.open("Chats/u.md", "Question?\n\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/u.md", view.asView(), view.doc);
        const { stream, done } = events(view.doc, tokenize("Some reply text that is long enough.", rng(5), 4));
        for (const event of stream.slice(0, 6)) await turn.handle(event);
        ws.frame();
        view.type(0, "Well: ");
        for (const event of stream.slice(6)) await turn.handle(event);
        await turn.handle(done);
        const [removal, putBack] = view.log.slice(-2);
        assert.equal(removal!.annotation(Transaction.addToHistory), false);
        assert.equal(putBack!.annotation(Transaction.addToHistory), undefined, "recorded by the history");
        assert.equal(putBack!.annotation(Transaction.userEvent), "lodge.reply");
        assert.equal(view.doc, FM + "Well: Question?" + done.data.reply);
        const undone = putBack!.changes.invert(putBack!.startState.doc).apply(view.state.doc).toString();
        assert.equal(undone, FM + "Well: Question?\n\n");
        assert.deepEqual(putBack!.selection?.main, removal!.startState.selection.main, "the undo step does not move the cursor");
    });

    it("keeps the person's frontmatter edit made during the stream and adds the daemon's keys", async () => {
        const ws = new FakeWorkspace();
        const view = ws.open("Chats/f.md", "---\ntags: [a]\nagent: assistant\n---\nQ?\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/f.md", view.asView(), view.doc);
        const fm = "---\ntags: [a]\nagent: assistant\nconversation_id: c-1\n---\n";
        const { stream, done } = events(view.doc, ["Hi."], fm);
        for (const event of stream) await turn.handle(event);
        ws.frame();
        view.type(view.doc.indexOf("[a]") + 2, ", b");
        await turn.handle(done);
        assert.equal(view.doc, "---\ntags: [a, b]\nagent: assistant\nconversation_id: c-1\n---\nQ?" + done.data.reply);
    });

    it("follows its note when the tab opens another one: the rest goes into the file, nothing into the other note", async () => {
        const ws = new FakeWorkspace();
        ws.disk.set("Chats/other.md", "Other note.\n");
        const view = ws.open("Chats/a.md", "Question?\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/a.md", view.asView(), view.doc);
        const { stream, done } = events(view.doc, tokenize("Alpha beta gamma delta epsilon zeta eta theta.", rng(9), 3));
        const half = Math.floor(stream.length / 2);
        for (const event of stream.slice(0, half)) await turn.handle(event);
        ws.frame();
        ws.switch(view, "Chats/other.md");
        for (const event of stream.slice(half)) {
            await turn.handle(event);
            ws.frame();
        }
        await turn.handle(done);
        assert.equal(view.doc, "Other note.\n");
        assert.equal(ws.disk.get("Chats/other.md"), "Other note.\n");
        assert.equal(ws.disk.get("Chats/a.md"), done.data.new_content);
        assert.ok(ws.processed.length >= 1 && ws.processed.length < stream.length / 2, `${ws.processed.length} file writes, throttled`);
    });

    it("re-attaches when the note is opened again, and the reply carries on in the editor", async () => {
        const ws = new FakeWorkspace();
        ws.disk.set("Chats/b.md", "B.\n");
        const view = ws.open("Chats/a.md", "Question?\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/a.md", view.asView(), view.doc);
        const { stream, done } = events(view.doc, tokenize("Alpha beta gamma delta epsilon zeta eta theta.", rng(2), 3));
        for (const event of stream.slice(0, 5)) await turn.handle(event);
        ws.frame();
        ws.switch(view, "Chats/b.md");
        for (const event of stream.slice(5, 10)) await turn.handle(event);
        ws.frame();
        await settle();
        ws.switch(view, "Chats/a.md");
        const before = view.log.length;
        for (const event of stream.slice(10)) await turn.handle(event);
        ws.frame();
        assert.ok(view.log.length > before, "edits go to the editor again");
        await turn.handle(done);
        assert.equal(view.doc, done.data.new_content);
        assert.equal(ws.disk.get("Chats/b.md"), "B.\n");
    });

    it("takes the editor back on the person's first keystroke after the note opens again", async () => {
        const ws = new FakeWorkspace();
        ws.disk.set("Chats/o.md", "O.\n");
        const view = ws.open("Chats/k.md", "Question?\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/k.md", view.asView(), view.doc);
        const { stream, done } = events(view.doc, tokenize("Alpha beta gamma delta epsilon.", rng(4), 3));
        for (const event of stream.slice(0, 5)) await turn.handle(event);
        ws.frame();
        ws.switch(view, "Chats/o.md");
        for (const event of stream.slice(5, 8)) await turn.handle(event);
        ws.frame();
        await settle();
        ws.switch(view, "Chats/k.md");
        view.type(0, "So: "); // before any frame or delta
        for (const event of stream.slice(8)) await turn.handle(event);
        await turn.handle(done);
        assert.equal(view.doc, FM + "So: Question?" + done.data.reply);
    });

    it("catches up when Obsidian saved the note a moment before the plugin's last edit reached the editor", async () => {
        const ws = new FakeWorkspace();
        const view = ws.open("Chats/r.md", "Question?\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/r.md", view.asView(), view.doc);
        const { stream, done } = events(view.doc, ["One ", "two ", "three ", "four."]);
        await turn.handle(stream[0]!);
        await turn.handle(stream[1]!);
        await turn.handle(stream[2]!);
        ws.frame();
        const savedEarly = view.doc; // what Obsidian's save captured
        await turn.handle(stream[3]!);
        ws.frame(); // this edit reached the editor after the save
        ws.tabs.delete(view);
        view.setState("unrelated");
        ws.disk.set("Chats/r.md", savedEarly);
        for (const event of stream.slice(4)) await turn.handle(event);
        await turn.handle(done);
        assert.equal(ws.disk.get("Chats/r.md"), done.data.new_content);
    });

    it("does not attach to an editor that names the note but still holds another note's text", async () => {
        const ws = new FakeWorkspace();
        ws.disk.set("Chats/a.md", "Question?\n");
        const other = ws.open("Chats/b.md", "Text of note b.\n");
        const view = ws.open("Chats/a.md");
        const turn = new ReplyTurn(ws.deps(), "Chats/a.md", view.asView(), view.doc);
        const { stream, done } = events(view.doc, ["Hello ", "there."]);
        for (const event of stream.slice(0, 3)) await turn.handle(event);
        ws.frame();
        ws.close(view);
        // Obsidian's loadFile: the tab already names note a while its editor still shows b.
        ws.tabs.set(other, "Chats/a.md");
        for (const event of stream.slice(3)) await turn.handle(event);
        await turn.handle(done);
        assert.equal(other.doc, "Text of note b.\n", "note b's text is untouched");
        assert.equal(ws.disk.get("Chats/a.md"), done.data.new_content);
    });

    it("follows the daemon's anchor when it differs from the one computed at sending", async () => {
        const ws = new FakeWorkspace();
        const view = ws.open("Chats/n.md", "Question?\n\n### Assistant:\n\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/n.md", view.asView(), view.doc);
        view.type(0, "> ");
        // A daemon whose anchor lies before the note's own empty heading: the reply replaces it.
        await turn.handle({ event: "start", data: { agent: "a", conversation_id: "c", anchor: 9 } });
        await turn.handle({ event: "delta", data: { at: 0, delete: 0, insert: "\n\n### Assistant:\n\nYes." } });
        ws.frame();
        assert.equal(view.doc, "> Question?\n\n### Assistant:\n\nYes.");
    });

    it("leaves the note exactly as sent when the stream ends before any delta", async () => {
        const ws = new FakeWorkspace();
        const view = ws.open("Chats/e.md", "Question?\n\n");
        const turn = new ReplyTurn(ws.deps(), "Chats/e.md", view.asView(), view.doc);
        await turn.handle({ event: "start", data: { agent: "a", conversation_id: "c", anchor: 9 } });
        await turn.abandon();
        assert.equal(view.doc, "Question?\n\n");
        assert.equal(view.log.length, 0);
    });

    it("a random mix of typing, deltas, frames and tab switches ends with the reply whole and every keystroke kept", async () => {
        for (let seed = 1; seed <= 25; seed++) {
            const random = rng(seed);
            const ws = new FakeWorkspace();
            ws.disk.set("Chats/z.md", "Elsewhere.\n");
            const view = ws.open("Chats/q.md", "Some question?\n");
            const turn = new ReplyTurn(ws.deps(), "Chats/q.md", view.asView(), view.doc);
            const { stream, done } = events(view.doc, tokenize("Reply with\n\n```\ncode\n```\n\nand text after it, going on.", random, 5));
            let reply = "";
            let typed = 0;
            let away = false;
            for (const event of stream) {
                await turn.handle(event);
                if (event.event === "delta") reply = applyDelta(reply, event.data);
                const r = random();
                if (r < 0.3) ws.frame();
                else if (r < 0.4 && !away) {
                    view.type(Math.floor(random() * (view.doc.indexOf("?") + 1)), "x");
                    typed++;
                } else if (r < 0.45) {
                    ws.frame();
                    await settle();
                    ws.switch(view, away ? "Chats/q.md" : "Chats/z.md");
                    away = !away;
                }
            }
            await turn.handle(done);
            if (away) ws.switch(view, "Chats/q.md");
            const text = view.doc;
            assert.equal(
                text.split("x").length - 1 - (done.data.new_content.split("x").length - 1),
                typed,
                `seed ${seed}: every keystroke kept`,
            );
            assert.ok(text.endsWith(done.data.reply), `seed ${seed}: the reply is whole at the end`);
            assert.equal(ws.disk.get("Chats/z.md"), "Elsewhere.\n", `seed ${seed}: the other note untouched`);
            assert.equal(reply, done.data.reply);
        }
    });
});
