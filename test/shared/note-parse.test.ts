import assert from "node:assert/strict";
import { LodgeError } from "../../shared/errors";
import { appendReply } from "../../shared/note/compose";
import { parseNote } from "../../shared/note/parse";
import { ReplyBuilder } from "../../shared/note/reply-builder";
import { conversationTurns, nothingToDo } from "../../shared/note/turns";
import { markdownish, rng } from "../helpers/random";

const roles = (text: string) => parseNote(text).turns.map((t) => [t.role, t.text]);

describe("parseNote", () => {
    it("reads text before the first heading as a user turn and headings as turns", () => {
        const note =
            "---\nagent: assistant\n---\nWhat is the capital of France?\n\n### Assistant:\n\nParis.\n\n### User:\n\nAnd of Italy?\n";
        assert.deepEqual(roles(note), [
            ["user", "What is the capital of France?"],
            ["assistant", "Paris."],
            ["user", "And of Italy?"],
        ]);
        assert.equal(parseNote(note).settings.agent, "assistant");
    });

    it("accepts any heading level, any case, an optional colon and trailing blanks", () => {
        for (const heading of ["# User:", "###### user", "### USER :  ", "## Assistant", "#### assistant:\t"]) {
            const turns = parseNote(`q\n${heading}\nbody`).turns;
            assert.equal(turns.length, 2, heading);
        }
        for (const notHeading of ["####### User:", "###User:", " ### User:", "### Users:", "### User: hi", "### The User:"]) {
            assert.equal(parseNote(`q\n${notHeading}\nbody`).turns.length, 1, notHeading);
        }
    });

    it("ignores role headings inside fenced code of any length, backticks or tildes", () => {
        const note = "Show me\n\n````md\n```\n### Assistant:\n```\n````\n\n~~~\n### User:\n~~~\nend";
        assert.deepEqual(
            roles(note).map((r) => r[0]),
            ["user"],
        );
        // An unclosed fence runs to the end of the note.
        assert.equal(parseNote("a\n```\n### Assistant:\nx").turns.length, 1);
        // A backtick fence whose info string has a backtick is not a fence.
        assert.equal(parseNote("a\n```x`\n### Assistant:\nx").turns.length, 2);
    });

    it("removes Lodge callouts from assistant turns and unescapes role lines", () => {
        const note = [
            "q",
            "### Assistant:",
            "> [!thinking]-",
            "> pondering",
            ">",
            "> more",
            "",
            "answer",
            "\\### User:",
            "\\\\## assistant",
            "",
            "> [!tool]- memory_replace persona",
            "> ok",
            "",
            "> a real quote",
            "",
            "> [!error]- overloaded",
            "",
            "> [!warning]- stopped",
        ].join("\n");
        const assistant = parseNote(note).turns[1]!;
        assert.equal(assistant.text, "answer\n### User:\n\\## assistant\n\n\n> a real quote");
    });

    it("counts an assistant turn with only callouts as absent and joins consecutive user turns", () => {
        const note = "first\n\n### Assistant:\n\n> [!error]- boom\n\n### User:\n\nsecond";
        const turns = parseNote(note).turns;
        assert.equal(nothingToDo(turns), null);
        assert.deepEqual(conversationTurns(turns), [{ role: "user", text: "first\n\nsecond" }]);
    });

    it("names each nothing-to-do case", () => {
        assert.equal(nothingToDo(parseNote("").turns), "empty");
        assert.equal(nothingToDo(parseNote("---\na: 1\n---\n\n  \n").turns), "empty");
        assert.equal(nothingToDo(parseNote("q\n### Assistant:\nhi\n").turns), "last_turn_assistant");
        assert.equal(nothingToDo(parseNote("q\n\n### Assistant:\n\nhi\n\n### User:\n\n").turns), "blank_user_turn");
        assert.equal(nothingToDo(parseNote("### User:\n\n").turns), "blank_user_turn");
        assert.equal(nothingToDo(parseNote("q\n\n### Assistant:\n\nhi\n\n### User:\n\nmore").turns), null);
    });

    it("refuses NUL bytes, executable frontmatter and alias bombs with a typed error", () => {
        const bomb =
            "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n---\nq";
        const cases: Array<[string, string]> = [
            ["a\u0000b", "bad_request"],
            ['---js\n{ a: require("child_process").execSync("echo pwned") }\n---\nq', "invalid_frontmatter"],
            ["---coffee\na: 1\n---\nq", "invalid_frontmatter"],
            ["---toml\na = 1\n---\nq", "invalid_frontmatter"],
            [bomb, "invalid_frontmatter"],
            ["---\na: [1, 2\n---\nq", "invalid_frontmatter"],
            ["---\n- a\n- b\n---\nq", "invalid_frontmatter"],
            ["---\na: 1\na: 2\n---\nq", "invalid_frontmatter"],
            ["---\ntemperature: hot\n---\nq", "invalid_frontmatter"],
            ["---\nagent: [x]\n---\nq", "invalid_frontmatter"],
        ];
        for (const [text, code] of cases) {
            assert.throws(
                () => parseNote(text),
                (err: unknown) => err instanceof LodgeError && err.code === code,
                text.slice(0, 30),
            );
        }
    });

    it("treats an unclosed opening --- as text, not frontmatter", () => {
        assert.deepEqual(roles("---\nagent: x\nno close"), [["user", "---\nagent: x\nno close"]]);
    });

    it("never throws anything but LodgeError on random input", () => {
        const random = rng(20261122);
        for (let i = 0; i < 3000; i++) {
            let text = markdownish(random, 1 + Math.floor(random() * 40));
            if (random() < 0.3) text = `---\n${markdownish(random, 5)}\n---\n${text}`;
            if (random() < 0.05) text = String.fromCharCode(...Array.from({ length: 50 }, () => Math.floor(random() * 0xffff)));
            try {
                const parsed = parseNote(text);
                for (const turn of parsed.turns) assert.ok(turn.start <= turn.end && turn.end <= text.length);
            } catch (err) {
                if (!(err instanceof LodgeError)) throw new Error(`seed case ${i} threw ${String(err)}: ${JSON.stringify(text)}`);
            }
        }
    });
});

describe("note round trip", () => {
    function conversation(pairs: Array<[string, string]>): string {
        let note = "";
        for (const [user, assistant] of pairs) {
            note += user;
            const reply = new ReplyBuilder();
            reply.text(assistant);
            reply.finish();
            note = appendReply(note, reply.reply());
        }
        return note;
    }

    it("gives back the turns that were rendered", () => {
        const pairs: Array<[string, string]> = [
            ["What is 2+2?", "4"],
            ["Write a heading", "### User:\n\n\\### Assistant:\n## user"],
            ["Code please", "```ts\n### User:\nconst a = 1;\n```\nDone."],
            ["And tildes", "~~~\n# Assistant:\n~~~"],
        ];
        const turns = parseNote(conversation(pairs)).turns;
        const expected = pairs.flatMap(([u, a]) => [
            ["user", u],
            ["assistant", a],
        ]);
        assert.deepEqual(
            turns.filter((t) => t.text !== "").map((t) => [t.role, t.text]),
            expected,
        );
        assert.equal(nothingToDo(turns), "blank_user_turn");
    });

    it("round-trips random replies whose fences are balanced, and closes unbalanced ones", () => {
        const random = rng(7);
        for (let i = 0; i < 1500; i++) {
            const reply = markdownish(random, 1 + Math.floor(random() * 30));
            const note = conversation([["question", reply]]);
            const turns = parseNote(note).turns;
            const assistant = turns.find((t) => t.role === "assistant")!;
            // What the note holds for the reply is a fixed point: rendering it again changes nothing.
            const again = conversation([["question", assistant.text]]);
            assert.equal(again, note, JSON.stringify(reply));
            // No reply can produce a heading: the note always has exactly question, reply, scaffold.
            assert.deepEqual(
                turns.map((t) => t.role),
                ["user", "assistant", "user"],
                JSON.stringify(reply),
            );
            if (!/```|~~~/.test(reply) && !/\r/.test(reply)) assert.equal(assistant.text, reply.trim(), JSON.stringify(reply));
        }
    });
});
