import assert from "node:assert/strict";
import { escapeReplyLine, isCalloutHeader, unescapeReplyLine } from "../../shared/note/markdown-lines";
import { parseNote } from "../../shared/note/parse";
import { ReplyBuilder } from "../../shared/note/reply-builder";

describe("the [!info]- context callout (docs/notes.md, docs/context.md)", () => {
    it("is a Lodge callout: not the assistant's text when the note is read back", () => {
        const b = new ReplyBuilder();
        b.info("1 note, 0 images", ["Notes/A.md — 12 characters"]);
        b.text("The answer.");
        b.finish();
        assert.equal(
            b.reply(),
            "\n\n### Assistant:\n\n> [!info]- context: 1 note, 0 images\n> - Notes/A.md — 12 characters\n\nThe answer.\n\n### User:\n\n",
        );
        const parsed = parseNote(`Question${b.reply()}`);
        assert.equal(parsed.turns[1]!.text, "The answer.");
        assert.ok(isCalloutHeader("> [!info]- context: 2 notes, 1 image"));
    });

    it("a model's own info callouts stay text; one that looks like Lodge's is escaped and reads back as written", () => {
        assert.ok(!isCalloutHeader("> [!info] A tip"));
        assert.equal(escapeReplyLine("> [!info] A tip"), "> [!info] A tip");
        const lookalike = "> [!info]- context: 9 notes, 0 images";
        assert.equal(escapeReplyLine(lookalike), "> \\[!info]- context: 9 notes, 0 images");
        assert.equal(unescapeReplyLine(escapeReplyLine(lookalike)), lookalike);
        const b = new ReplyBuilder();
        b.text(`${lookalike}\nmore`);
        b.finish();
        assert.equal(parseNote(`Q${b.reply()}`).turns[1]!.text, `${lookalike}\nmore`);
    });
});
