import assert from "node:assert/strict";
import { EditorSelection, EditorState, type TransactionSpec } from "@codemirror/state";
import { ReplyRegion } from "../../plugin/stream/reply-region";
import { applyDelta } from "../../shared/protocol/delta";
import { daemonDeltas, tokenize } from "./helpers/daemon-deltas";
import { rng } from "../helpers/random";

const REPLY_TEXT =
    "Paris is the capital.\n\n```js\nconst x = 1;\nconsole.log(x);\n```\n\n- one\n- two\n\n### User: not a heading\nThe end.";

/** A document with a region; the person's edits go through `user`, the plugin's through `show`. */
class Doc {
    state: EditorState;
    readonly region: ReplyRegion;
    constructor(text: string) {
        this.state = EditorState.create({ doc: text });
        const anchor = text.trimEnd().length;
        this.region = new ReplyRegion(anchor, text.slice(anchor));
    }
    get text(): string {
        return this.state.doc.toString();
    }
    user(spec: TransactionSpec): void {
        const tr = this.state.update(spec);
        this.region.mapThrough(tr.changes);
        this.state = tr.state;
    }
    show(reply: string): void {
        this.state = this.state.update({ changes: this.region.render(reply) }).state;
    }
}

describe("ReplyRegion", () => {
    it("puts the reply where the submitted text's trailing whitespace was", () => {
        const doc = new Doc("What is the capital of France?\n\n  \n");
        const { deltas, reply } = daemonDeltas(tokenize(REPLY_TEXT, rng(1)));
        let target = "";
        for (const delta of deltas) {
            target = applyDelta(target, delta);
            doc.show(target);
        }
        assert.equal(target, reply);
        assert.equal(doc.text, "What is the capital of France?" + reply);
        assert.ok(reply.startsWith("\n\n### Assistant:\n\n") && reply.endsWith("\n\n### User:\n\n"));
    });

    it("keeps what the person types above, inside and after the reply, and the reply stays whole", () => {
        for (let seed = 1; seed <= 40; seed++) {
            const random = rng(seed);
            const question = "---\nagent: a\n---\nQuestion one?\n";
            const doc = new Doc(question);
            const { deltas, reply } = daemonDeltas(tokenize(REPLY_TEXT, random));
            const markers: string[] = [];
            let target = "";
            for (const delta of deltas) {
                target = applyDelta(target, delta);
                if (random() < 0.5) doc.show(target);
                if (random() < 0.3) {
                    // One private-use character per edit: an edit cannot land inside another one.
                    const marker = String.fromCharCode(0xe000 + markers.length);
                    markers.push(marker);
                    const where = random();
                    const { start, end } = doc.region;
                    const at =
                        where < 0.33
                            ? Math.floor(random() * (start + 1))
                            : where < 0.66 && end - start > 1
                              ? start + 1 + Math.floor(random() * (end - start - 1))
                              : doc.state.doc.length;
                    doc.user({ changes: { from: at, insert: marker } });
                }
            }
            doc.show(reply);
            let text = doc.text;
            for (const marker of markers) {
                assert.equal(text.split(marker).length, 2, `seed ${seed}: edit ${markers.indexOf(marker)} kept once`);
                text = text.replace(marker, "");
            }
            assert.equal(text, "---\nagent: a\n---\nQuestion one?" + reply, `seed ${seed}`);
        }
    });

    it("never moves a cursor above the reply, and one after it stays after the same text", () => {
        const doc = new Doc("Question?");
        doc.user({ selection: EditorSelection.cursor(4) });
        const { deltas, reply } = daemonDeltas(tokenize(REPLY_TEXT, rng(7)));
        let target = "";
        for (const [i, delta] of deltas.entries()) {
            target = applyDelta(target, delta);
            doc.show(target);
            assert.equal(doc.state.selection.main.head, 4, `after delta ${i}`);
        }
        // Now the person writes after the reply and keeps their cursor there while another turn streams.
        const end = doc.state.doc.length;
        doc.user({ changes: { from: end, insert: "my note" }, selection: EditorSelection.cursor(end + 7) });
        assert.equal(doc.text, "Question?" + reply + "my note");
        assert.equal(doc.state.selection.main.head, doc.state.doc.length);
    });

    it("counts text typed exactly at the reply's start as above it and exactly at its end as below it", () => {
        const doc = new Doc("Q?");
        doc.show("\n\n### Assistant:\n\nA");
        doc.user({ changes: { from: doc.region.start, insert: "[above]" } });
        doc.user({ changes: { from: doc.region.end, insert: "[below]" } });
        doc.show("\n\n### Assistant:\n\nAB");
        assert.equal(doc.text, "Q?[above]\n\n### Assistant:\n\nAB[below]");
    });

    it("survives the person deleting part of the reply, and a selection replacing across its start", () => {
        const doc = new Doc("Q?\n");
        doc.show("\n\n### Assistant:\n\nHello wor");
        const s = doc.region.start;
        doc.user({ changes: { from: s + 18, to: s + 24 } }); // "Hello " gone
        doc.show("\n\n### Assistant:\n\nHello world");
        assert.equal(doc.text, "Q?\n\n### Assistant:\n\nworld");
        doc.user({ changes: { from: 1, to: doc.region.start + 2, insert: "!!" } }); // "?" and the reply's "\n\n"
        doc.show("\n\n### Assistant:\n\nHello world, again");
        assert.equal(doc.text, "Q!!### Assistant:\n\nworld, again");
    });

    it("removal() takes out exactly the plugin's text and puts the trailing whitespace back", () => {
        const doc = new Doc("Q?\n\n");
        doc.show("\n\n### Assistant:\n\nOne two");
        doc.user({ changes: { from: doc.region.start + 22, insert: "(mine)" } });
        doc.user({ changes: { from: 0, insert: "> " } });
        doc.show("\n\n### Assistant:\n\nOne two three\n\n### User:\n\n");
        const removed = doc.state.update({ changes: doc.region.removal("\n\n") }).state.doc.toString();
        assert.equal(removed, "> Q?\n\n(mine)");
    });

    it("reconcile() adopts an older reply found on disk when only the reply differs", () => {
        const doc = new Doc("Q?");
        doc.show("\n\n### Assistant:\n\nOne");
        const model = doc.text;
        doc.show("\n\n### Assistant:\n\nOne two");
        // Obsidian saved `model`, then the plugin's last edit reached the editor: the disk is one step behind.
        doc.region.reconcile(doc.text, model);
        const out = doc.region.render("\n\n### Assistant:\n\nOne two three");
        assert.equal(
            EditorState.create({ doc: model }).update({ changes: out }).state.doc.toString(),
            "Q?\n\n### Assistant:\n\nOne two three",
        );
    });

    it("reconcile() treats any other difference as an outside edit", () => {
        const doc = new Doc("Q?");
        doc.show("\n\n### Assistant:\n\nOne");
        const disk = "Intro\n" + doc.text + "\nP.S.";
        doc.region.reconcile(doc.text, disk);
        const out = doc.region.render("\n\n### Assistant:\n\nOne two");
        assert.equal(
            EditorState.create({ doc: disk }).update({ changes: out }).state.doc.toString(),
            "Intro\nQ?\n\n### Assistant:\n\nOne two\nP.S.",
        );
    });
});
