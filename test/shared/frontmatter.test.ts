import assert from "node:assert/strict";
import { LodgeError } from "../../shared/errors";
import { readFrontmatter } from "../../shared/note/frontmatter";
import { setFrontmatterKeys } from "../../shared/note/frontmatter-write";
import { parseNote } from "../../shared/note/parse";

describe("setFrontmatterKeys", () => {
    it("keeps the text byte for byte when neither key changes", () => {
        const note = "---\n# a comment\ntags: [b,  a]\nagent: assistant\nconversation_id: c1\ncreated: 2024-01-05\ny: y\n---\nbody\n";
        assert.equal(setFrontmatterKeys(note, { agent: "assistant", conversation_id: "c1" }), note);
    });

    it("updates an existing key in place and appends a new one after the others", () => {
        const note = "---\nagent: old\ntags: [b,  a]   # keep me\nnested:\n  k: {x: 1}\n---\nbody";
        const out = setFrontmatterKeys(note, { agent: "assistant", conversation_id: "7b0c6a52" });
        assert.equal(out, "---\nagent: assistant\ntags: [b,  a]   # keep me\nnested:\n  k: {x: 1}\nconversation_id: 7b0c6a52\n---\nbody");
    });

    it("replaces a multi-line value of the key, nothing else", () => {
        const note = "---\nagent: >\n  folded\n  value\nother: 1\n---\n";
        assert.equal(setFrontmatterKeys(note, { agent: "a" }), "---\nagent: a\nother: 1\n---\n");
    });

    it("creates the block when the note has none, and quotes values YAML would misread", () => {
        assert.equal(
            setFrontmatterKeys("hello", { agent: "a", conversation_id: "1e5" }),
            '---\nagent: a\nconversation_id: "1e5"\n---\nhello',
        );
        assert.equal(setFrontmatterKeys("", { agent: "yes" }), '---\nagent: "yes"\n---\n');
        const odd = setFrontmatterKeys("x", { agent: "a: b # c" });
        assert.equal(parseNote(odd).settings.agent, "a: b # c");
    });

    it("fills an empty block and keeps CRLF line ends", () => {
        assert.equal(setFrontmatterKeys("---\n---\nq", { agent: "a" }), "---\nagent: a\n---\nq");
        assert.equal(setFrontmatterKeys("---\r\ntitle: t\r\n---\r\nq", { agent: "a" }), "---\r\ntitle: t\r\nagent: a\r\n---\r\nq");
    });

    it("falls back to rewriting a flow-style block and still keeps the other keys", () => {
        const out = setFrontmatterKeys("---\n{title: t, agent: old}\n---\nq", { agent: "new" });
        const data = parseNote(out).frontmatter!.data;
        assert.deepEqual(data, { title: "t", agent: "new" });
    });
});

describe("readFrontmatter caps (issue 9)", () => {
    const keys = (n: number, indent = ""): string => Array.from({ length: n }, (_, i) => `${indent}k${i}: v`).join("\n");

    // How fast (refused before parsing; nested keys in linear time) is a row of `npm run bench` (note-parse).
    it("refuses 100k top-level keys before parsing them", () => {
        const note = `---\n${keys(100_000)}\n---\nbody`;
        assert.throws(
            () => readFrontmatter(note),
            (err: unknown) => {
                assert.ok(err instanceof LodgeError);
                assert.equal(err.code, "invalid_frontmatter");
                assert.match(err.message, /64 KB/);
                return true;
            },
        );
    });

    it("refuses more than 1,000 top-level keys and accepts 1,000", () => {
        assert.throws(() => readFrontmatter(`---\n${keys(1001)}\n---\n`), /1,001 top-level keys; at most 1,000/);
        assert.equal(Object.keys(readFrontmatter(`---\n${keys(1000)}\n---\n`)!.data).length, 1000);
    });

    it("reads a nested map of 6,000 keys (under 64 KB), and still refuses a repeated key", () => {
        const data = readFrontmatter(`---\nm:\n${keys(6000, " ")}\n---\n`)!.data;
        assert.equal(Object.keys(data.m as object).length, 6000);
        assert.throws(() => readFrontmatter("---\na: 1\nb:\n  c: 1\n  c: 2\n---\n"), /unique|repeat/i);
        assert.throws(
            () => readFrontmatter("---\na: 1\na: 2\n---\n"),
            (err: unknown) => err instanceof LodgeError && err.code === "invalid_frontmatter",
        );
    });
});
