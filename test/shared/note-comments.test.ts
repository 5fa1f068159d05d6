import assert from "node:assert/strict";
import { dropComments } from "../../shared/note/comments";
import { parseNote } from "../../shared/note/parse";
import { conversationTurns, nothingToDo } from "../../shared/note/turns";

const roles = (text: string) => conversationTurns(parseNote(text).turns).map((t) => [t.role, t.text]);

describe("Obsidian comments (%% … %%)", () => {
    it("drops inline and multi-line comments from every turn", () => {
        assert.deepEqual(
            roles(
                "Ask %%not this%% about Paris\n\n### Assistant:\n\nIt is %%a note to self%%big.\n\n### User:\n\n%%\nplan:\n- one\n%%\nAnd Rome?\n",
            ),
            [
                ["user", "Ask  about Paris"],
                ["assistant", "It is big."],
                ["user", "And Rome?"],
            ],
        );
    });

    it("a note whose text before the first heading is a comment starts with the heading's turn (the welcome note)", () => {
        const note = "%%\nThis note is a chat. Write under the last heading.\n%%\n\n### User:\n\nHello!\n";
        assert.deepEqual(roles(note), [["user", "Hello!"]]);
        assert.equal(nothingToDo(parseNote(note).turns), null);
        // A user turn that is only a comment is blank: nothing to send.
        assert.equal(nothingToDo(parseNote("q\n### Assistant:\na\n### User:\n%% later %%\n").turns), "blank_user_turn");
    });

    it("keeps %% inside fenced code and inline code, and an unclosed %% as text", () => {
        assert.equal(dropComments("x `a %% b` y"), "x `a %% b` y");
        assert.equal(dropComments("``a %%c%% b`` d"), "``a %%c%% b`` d");
        assert.equal(dropComments("```r\n5 %% 3\n%%x%%\n```\nafter %%y%%"), "```r\n5 %% 3\n%%x%%\n```\nafter ");
        assert.equal(dropComments("~~~\n%%\n~~~\nz"), "~~~\n%%\n~~~\nz");
        assert.equal(dropComments("50%% off, and more"), "50%% off, and more");
        assert.equal(dropComments("a %%b%% c %%d"), "a  c %%d");
    });

    it("removes a comment's own lines but keeps the text around a comment inside a line", () => {
        assert.equal(dropComments("one\n%%\nhidden\n%%\ntwo"), "one\ntwo");
        assert.equal(dropComments("one\n  %% hidden %%  \ntwo"), "one\ntwo");
        assert.equal(dropComments("a %%multi\nline%% b\nc"), "a  b\nc");
        // A fence opened right after a comment that ended mid-line is not a fence (it does not start a line).
        assert.equal(dropComments("%%x%%```\n%%y%%"), "```\n");
    });

    it("a comment cannot hide a role heading", () => {
        assert.deepEqual(roles("q %%\n### Assistant:\nanswer %%"), [
            ["user", "q %%"],
            ["assistant", "answer %%"],
        ]);
    });

    it("costs nothing on a note without %%", () => {
        const text = "plain text\n".repeat(1000);
        assert.equal(dropComments(text), text);
    });
});
