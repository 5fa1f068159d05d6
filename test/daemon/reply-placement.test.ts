import assert from "node:assert/strict";
import { placeReply } from "../../daemon/services/reply-placement";

describe("placeReply", () => {
    const reply = "\n\n### Assistant:\n\n```js\nconst x = 1;\n```\nDone.\n\n### User:\n\n";
    const updates = { agent: "a", conversation_id: "c" };
    const fm = "---\nagent: a\nconversation_id: c\n---\n";

    it("appends after the disk text's trailing whitespace", () => {
        assert.equal(placeReply("Q\n\n\n", reply, updates), `${fm}Q${reply}`);
    });

    it("keeps a note's own empty assistant heading: the reply goes after it, as docs/notes.md says", () => {
        const text = "Q\n\n### Assistant:\n\n";
        assert.equal(placeReply(text, reply, updates), `${fm}Q\n\n### Assistant:${reply}`);
        assert.equal(placeReply(text, reply, updates, text), `${fm}Q\n\n### Assistant:${reply}`);
    });

    it("replaces a partial reply an editor saved, open fence closer and all, instead of repeating it", () => {
        const submitted = "Q\n";
        for (const partial of [
            "\n\n### Assistant:",
            "\n\n### Assistant:\n\n```js\nconst\n```",
            "\n\n### Assistant:\n\n```js\nconst x = 1;\n```\nDo",
        ]) {
            assert.equal(placeReply(`Q${partial}`, reply, updates, submitted), `${fm}Q${reply}`, partial);
        }
    });

    it("appends when the text after the last heading is not this reply (the person wrote after it)", () => {
        const disk = "Q\n\n### Assistant:\n\n```js\nconst x = 1;\n```\nmy own words";
        assert.equal(placeReply(disk, reply, updates, "Q\n"), `${fm}${disk}${reply}`);
    });

    it("replaces a trailing failed turn with the retry's reply, on disk as in the submitted text", () => {
        const failed = "Q\n\n### Assistant:\n\n> [!error] The backend is overloaded.";
        assert.equal(placeReply(failed, reply, updates), `${fm}Q${reply}`);
        assert.equal(placeReply(`${failed}\n`, reply, updates, `${failed}\n`), `${fm}Q${reply}`);
        // An editor applied part of the retry (the failed turn's heading became the reply's) and saved.
        assert.equal(placeReply("Q\n\n### Assistant:\n\n```js\nconst", reply, updates, failed), `${fm}Q${reply}`);
    });

    it("keeps a failed turn the person wrote below: their text is a new user turn, the reply goes after it", () => {
        const disk = "Q\n\n### Assistant:\n\n> [!error] boom\n\nTry again, shorter.";
        assert.equal(placeReply(disk, reply, updates), `${fm}${disk}${reply}`);
    });
});
