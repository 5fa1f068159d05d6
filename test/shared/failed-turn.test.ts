import assert from "node:assert/strict";
import { appendReply } from "../../shared/note/compose";
import { replyAnchor, trailingFailedTurn } from "../../shared/note/failed-turn";
import { parseNote } from "../../shared/note/parse";
import { ReplyBuilder } from "../../shared/note/reply-builder";
import { conversationTurns, nothingToDo } from "../../shared/note/turns";

/** A reply as the daemon renders it, `text` arriving before the ending. */
function reply(text: string, end: (b: ReplyBuilder) => void): string {
    const b = new ReplyBuilder();
    if (text) b.text(text);
    end(b);
    return b.reply();
}

const FAILED = reply("", (b) => b.fail("The backend is overloaded."));

describe("the failed-turn rule (docs/notes.md)", () => {
    it("a turn that fails before any text has no scaffold; after some text it has one", () => {
        assert.equal(FAILED, "\n\n### Assistant:\n\n> [!error] The backend is overloaded.");
        assert.equal(
            reply("", (b) => b.stop()),
            "\n\n### Assistant:\n\n> [!warning]- stopped",
        );
        assert.equal(
            reply("Half", (b) => b.fail("dropped")),
            "\n\n### Assistant:\n\nHalf\n\n> [!error] dropped\n\n### User:\n\n",
        );
        assert.equal(
            reply("Half", (b) => b.stop()),
            "\n\n### Assistant:\n\nHalf\n\n> [!warning]- stopped\n\n### User:\n\n",
        );
        // Thinking and tool callouts are not text: the turn still failed before any.
        const b = new ReplyBuilder();
        b.thinking("hmm");
        b.tool("memory_replace", "human", "edited block human");
        b.fail("boom");
        assert.ok(!b.reply().includes("### User:"));
    });

    it("a trailing failed turn counts as absent, so the note has something to send", () => {
        const note = appendReply("---\nagent: a\n---\nWhat is the capital of France?\n", FAILED);
        const turns = parseNote(note).turns;
        assert.equal(nothingToDo(turns), null);
        assert.deepEqual(conversationTurns(turns), [{ role: "user", text: "What is the capital of France?" }]);
        assert.equal(trailingFailedTurn(note)?.role, "assistant");
    });

    it("the retry's reply replaces the failed turn (heading and callouts), once however often it fails", () => {
        const question = "What is the capital of France?";
        let note = appendReply(`${question}\n`, FAILED);
        assert.equal(replyAnchor(note), question.length);
        note = appendReply(
            note,
            reply("", (b) => b.fail("Again.")),
        );
        assert.equal(note, `${question}\n\n### Assistant:\n\n> [!error] Again.`);
        note = appendReply(
            `${note}\n\n`,
            reply("Paris.", (b) => b.finish()),
        );
        assert.equal(note, `${question}\n\n### Assistant:\n\nParis.\n\n### User:\n\n`);
        // A stopped turn before any text is a failed turn too; old notes' folded error callouts also count.
        for (const tail of ["> [!warning]- stopped", "> [!error]- overloaded", "> [!thinking]-\n> hmm\n\n> [!error]- x\n> details"]) {
            assert.equal(replyAnchor(`Q\n\n### Assistant:\n\n${tail}\n`), 1, tail);
        }
    });

    it("anything but a trailing callout-only assistant turn: the reply goes after the trailing whitespace", () => {
        for (const text of [
            "Q\n\n\n",
            "Q\n\n### Assistant:\n\n", // a blank heading the person wrote stays
            "Q\n\n### Assistant:\n\nPartial\n\n> [!error] dropped", // text arrived: not a failed turn
            "Q\n\n### Assistant:\n\n> [!error] boom\n\n### User:\n\nAgain?",
            "Q\n\n### Assistant:\n\n> [!error] boom\n\nTry again, shorter.\n",
            "Q\n\n### Assistant:\n\n> a quote of my own\n",
        ]) {
            assert.equal(replyAnchor(text), text.trimEnd().length, text);
            assert.equal(trailingFailedTurn(text), null, text);
        }
    });

    it("text the person typed below a failed turn is a user turn of its own, sent with the question", () => {
        const note = "Q\n\n### Assistant:\n\n> [!error] boom\n\nTry again, shorter.\n";
        const turns = parseNote(note).turns;
        assert.deepEqual(
            turns.map((t) => [t.role, t.text]),
            [
                ["user", "Q"],
                ["assistant", ""],
                ["user", "Try again, shorter."],
            ],
        );
        assert.equal(nothingToDo(turns), null);
        assert.deepEqual(conversationTurns(turns), [{ role: "user", text: "Q\n\nTry again, shorter." }]);
        // Also below an old note's partial reply that ended with an error and no scaffold.
        const old = parseNote("Q\n### Assistant:\nHalf\n\n> [!error]- dropped\n> why\n\nGo on.").turns;
        assert.deepEqual(
            old.map((t) => [t.role, t.text]),
            [
                ["user", "Q"],
                ["assistant", "Half"],
                ["user", "Go on."],
            ],
        );
        // A callout-looking line inside the reply's own text is escaped, so it ends nothing.
        const escaped = parseNote("Q\n### Assistant:\n> \\[!error] quoted\n\nmore reply").turns;
        assert.deepEqual(
            escaped.map((t) => [t.role, t.text]),
            [
                ["user", "Q"],
                ["assistant", "> [!error] quoted\n\nmore reply"],
            ],
        );
    });
});

describe("callouts", () => {
    it("an error with details is folded, its further lines quoted; titles never end in blanks", () => {
        const b = new ReplyBuilder();
        b.fail("Claude Code exited with code 1  \nerror: unknown option\n\n  at main  ");
        assert.equal(b.body(), "> [!error]- Claude Code exited with code 1\n> error: unknown option\n>\n>   at main");
        const t = new ReplyBuilder();
        t.tool("Read", "", "line one\nline two");
        assert.equal(t.body(), "> [!tool]- Read\n> line one");
        for (const line of `${b.reply()}\n${t.reply()}`.split("\n")) assert.equal(line, line.trimEnd(), JSON.stringify(line));
    });

    it("a tool summary is its first line, shortened", () => {
        const b = new ReplyBuilder();
        b.tool("Bash", "ls", `\n\n${"x".repeat(300)}\nsecond`);
        const summary = b.body().split("\n")[1]!;
        assert.ok(summary.startsWith("> xxx") && summary.endsWith("…") && summary.length <= 2 + 120, summary);
    });
});
