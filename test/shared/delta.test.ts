import assert from "node:assert/strict";
import { applyDelta, deltaEdit, diffText } from "../../shared/protocol/delta";
import { ReplyBuilder } from "../../shared/note/reply-builder";
import { markdownish, pick, rng } from "../helpers/random";

describe("diffText", () => {
    it("finds the smallest edit and applies back exactly", () => {
        assert.equal(diffText("abc", "abc"), null);
        assert.deepEqual(diffText("hello", "hello world"), { at: 5, delete: 0, insert: " world" });
        assert.deepEqual(diffText("a\n```", "a\nb\n```"), { at: 2, delete: 0, insert: "b\n" });
        assert.deepEqual(diffText("### User:", "\\### User:"), { at: 0, delete: 0, insert: "\\" });
    });

    it("never splits a surrogate pair", () => {
        const d = diffText("x😀", "x😃")!;
        assert.equal(d.insert, "😃");
        assert.equal(applyDelta("x😀", d), "x😃");
    });

    it("is exact on random edits, long texts included", () => {
        const random = rng(99);
        for (let i = 0; i < 2000; i++) {
            const base = markdownish(random, Math.floor(random() * (i % 10 === 0 ? 400 : 30)));
            const at = Math.floor(random() * (base.length + 1));
            const del = Math.floor(random() * (base.length - at + 1));
            const next = base.slice(0, at) + markdownish(random, Math.floor(random() * 3)) + base.slice(at + del);
            const d = diffText(base, next);
            assert.equal(d ? applyDelta(base, d) : base, next);
        }
    });
});

describe("deltaEdit", () => {
    it("is the same change as applyDelta, at the reply's offset in a longer document", () => {
        const head = "question\n\n";
        const d = diffText("the reply so far", "the whole reply")!;
        const { from, to, insert } = deltaEdit(d, head.length);
        const doc = `${head}the reply so far\n\nbelow`;
        assert.equal(doc.slice(0, from) + insert + doc.slice(to), `${head}${applyDelta("the reply so far", d)}\n\nbelow`);
        assert.deepEqual(deltaEdit({ at: 2, delete: 3, insert: "x" }), { from: 2, to: 5, insert: "x" });
    });
});

describe("ReplyBuilder deltas", () => {
    it("replays to exactly the final reply, with each delta about the size of its change", () => {
        const random = rng(5);
        for (let round = 0; round < 300; round++) {
            const builder = new ReplyBuilder();
            let client = "";
            let previous = "";
            for (let i = 0; i < 40; i++) {
                const kind = random();
                if (kind < 0.75) builder.text(markdownish(random, 1 + Math.floor(random() * 3)));
                else if (kind < 0.85) builder.thinking(markdownish(random, 2));
                else if (kind < 0.95) builder.tool(pick(random, ["memory_replace", "Bash"]), "persona", "ok");
                else builder.breakText();
                const next = builder.reply();
                const d = diffText(previous, next);
                if (d) {
                    client = applyDelta(client, d);
                    // Appending a chunk never rewrites more than the last line and a fence closer.
                    assert.ok(d.insert.length < 200, JSON.stringify(d));
                }
                previous = next;
            }
            if (random() < 0.5) builder.fail("boom");
            else builder.finish();
            const final = builder.reply();
            const d = diffText(previous, final);
            if (d) client = applyDelta(client, d);
            assert.equal(client, final);
        }
    });
});
