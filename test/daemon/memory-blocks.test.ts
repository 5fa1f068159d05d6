import assert from "node:assert/strict";
import { blockFileText, labelProblem, parseBlockFile } from "../../daemon/memory/block-file";
import { KeyedLock } from "../../daemon/memory/keyed-lock";
import { renderMemoryBlocks } from "../../daemon/memory/prompt";
import { insertAt, replaceOnce } from "../../daemon/memory/tools";

const parse = (text: string | Buffer, path = "persona.md") => parseBlockFile(path, typeof text === "string" ? Buffer.from(text) : text);

describe("parseBlockFile", () => {
    it("reads the frontmatter keys and keeps the body verbatim, without the file's final line break", () => {
        const text =
            "---\n# mine\ndescription: Who I am\nlimit: 300\nread_only: true\nmetadata:\n  mood: calm\n---\n\n  indented\nlast line\n";
        const { block } = parse(text, "projects/alpha.md");
        assert.deepEqual(block, {
            label: "projects/alpha",
            value: "\n  indented\nlast line",
            description: "Who I am",
            limit: 300,
            readOnly: true,
            metadata: { mood: "calm" },
            frontmatter: "---\n# mine\ndescription: Who I am\nlimit: 300\nread_only: true\nmetadata:\n  mood: calm\n---\n",
        });
        assert.equal(blockFileText(block.frontmatter, block.value), text, "written back byte for byte");
    });

    it("gives a file without frontmatter the defaults, and drops a byte-order mark", () => {
        assert.deepEqual(parse("\uFEFFjust text\n").block, {
            label: "persona",
            value: "just text",
            description: null,
            limit: 20000,
            readOnly: false,
            metadata: {},
            frontmatter: "",
        });
    });

    it("round-trips values that end in line breaks or are empty", () => {
        for (const value of ["a\n", "a\n\n", "", "x"]) {
            const text = blockFileText("---\ndescription: d\n---\n", value);
            assert.equal(parse(text).block!.value, value);
        }
    });

    it("names every problem a person must fix", () => {
        const problems = (text: string | Buffer, path?: string) => parse(text, path).problems;
        assert.deepEqual(problems("---\ndescription: 3\nlimit: 2.5\nread_only: yes\nmetadata: [a]\nowner: me\n---\nx\n"), [
            'unknown frontmatter key "owner" (a block knows description, limit, read_only, metadata)',
            '"description" must be text',
            '"limit" must be a whole number of characters above 0',
            '"read_only" must be true or false',
            '"metadata" must be a mapping',
        ]);
        assert.deepEqual(problems("---\nlimit: 3\n---\n😀😀😀😀\n"), ["the value is 4 characters, over its limit of 3"]);
        assert.deepEqual(problems("---\nlimit: 4\n---\n😀😀😀😀\n"), undefined, "characters are code points, not UTF-16 units");
        assert.deepEqual(problems(Buffer.from([0xff, 0xfe, 0x41])), ["the file is not UTF-8 text"]);
        assert.deepEqual(problems("a\0b"), ["the file contains NUL bytes; a block is text"]);
        assert.deepEqual(problems("---\ndescription: never closed\nvalue\n"), [
            "the frontmatter opened on line 1 is never closed by a '---' line",
        ]);
        assert.match(problems("---js\n{ a: require('child_process') }\n---\nx\n")![0]!, /executable frontmatter/);
        const bomb = `---\na: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
            { length: 8 },
            (_, i) =>
                `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(10)
                    .fill(`*${i === 0 ? "a" : "bcdefghi"[i - 1]}`)
                    .join(", ")}]`,
        ).join("\n")}\n---\nx\n`;
        assert.match(problems(bomb)![0]!, /frontmatter is not valid YAML: .*alias/i);
        assert.match(problems("x", "skills/search.md")![0]!, /skills/);
    });
});

describe("labelProblem", () => {
    it("accepts paths every clone can check out, and refuses the rest", () => {
        for (const ok of ["persona", "projects/alpha", "Notes 2024/été", "a.b-c_d", "my notes (old)", "q&a"])
            assert.equal(labelProblem(ok), null, ok);
        for (const bad of ["../x", "a//b", "/abs", "a/./b", "a<b>", "x\ny", "a:b", "why?", "back\\slash", " lead", "skills/x", ""])
            assert.notEqual(labelProblem(bad), null, bad);
    });
});

describe("renderMemoryBlocks", () => {
    it("writes nothing for no blocks, and Letta's layout otherwise", () => {
        assert.equal(renderMemoryBlocks([]), "");
        assert.equal(
            renderMemoryBlocks([
                { label: "human", value: "Pat", description: null, limit: 100, readOnly: false },
                { label: "rules", value: "Be kind.", description: "House rules", limit: 20000, readOnly: true },
            ]),
            "<memory_blocks>\nThe following memory blocks are currently engaged in your core memory unit:\n\n" +
                "<human>\n<description>\nhuman block\n</description>\n<metadata>\n- chars_current=3\n- chars_limit=100\n</metadata>\n<value>\nPat\n</value>\n</human>\n\n" +
                "<rules>\n<description>\nHouse rules\n</description>\n<metadata>\n- read_only=true\n- chars_current=8\n- chars_limit=20000\n</metadata>\n<value>\nBe kind.\n</value>\n</rules>\n\n" +
                "</memory_blocks>",
        );
    });
});

describe("memory tool semantics", () => {
    it("replaces exactly one occurrence, and refuses none or several", () => {
        assert.deepEqual(replaceOnce("p", "a b a", "b", "c"), { value: "a c a" });
        assert.match(replaceOnce("p", "a b a", "a", "c").error!, /Multiple occurrences of old_string `a` in lines \[1\]/);
        assert.match(replaceOnce("p", "abc", "", "c").error!, /did not appear verbatim/);
    });

    it("inserts after a line, at the top (0) or at the end (-1), within [0, n]", () => {
        assert.deepEqual(insertAt("a\nb", "x", 1), { value: "a\nx\nb" });
        assert.deepEqual(insertAt("a\nb", "x", 0), { value: "x\na\nb" });
        assert.deepEqual(insertAt("a\nb", "x", 2), { value: "a\nb\nx" });
        assert.deepEqual(insertAt("", "x", -1), { value: "x" });
        assert.match(insertAt("a\nb", "x", 3).error!, /\[0, 2\]/);
        assert.match(insertAt("a", "x", -2).error!, /Invalid `insert_line` parameter: -2/);
    });
});

describe("KeyedLock", () => {
    it("runs holders of one key one at a time, in order, and other keys alongside", async () => {
        const lock = new KeyedLock();
        const events: string[] = [];
        const hold = (key: string, name: string, ms: number) =>
            lock.with(key, async () => {
                events.push(`${name}+`);
                await new Promise((r) => setTimeout(r, ms));
                events.push(`${name}-`);
            });
        await Promise.all([hold("a", "a1", 20), hold("a", "a2", 1), hold("b", "b1", 5)]);
        assert.deepEqual(
            events.filter((e) => e.startsWith("a")),
            ["a1+", "a1-", "a2+", "a2-"],
        );
        assert.ok(events.indexOf("b1-") < events.indexOf("a1-"), "another key does not wait");
        await lock.idle();
    });
});
