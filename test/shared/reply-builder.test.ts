/** The reply renderer under hostile text (issue 9): what a note cannot hold, every line break, large replies. */
import assert from "node:assert/strict";
import { applyDelta, diffText } from "../../shared/protocol/delta";
import { ReplyBuilder } from "../../shared/note/reply-builder";
import { cleanText, TextCleaner } from "../../shared/note/sanitize";
import { parseNote } from "../../shared/note/parse";
import { markdownish, rng } from "../helpers/random";

/** The reply as a client holds it, from the builder's own deltas; also checks each delta is what diffText gives. */
function streamed(
    chunks: readonly string[],
    end: (b: ReplyBuilder) => void = (b) => b.finish(),
    crlf = false,
): { held: string; builder: ReplyBuilder } {
    const builder = new ReplyBuilder({ crlf });
    const cleaner = new TextCleaner();
    let held = "";
    const take = (): void => {
        const d = builder.delta();
        if (d) held = applyDelta(held, d);
    };
    take();
    for (const chunk of chunks) {
        builder.text(cleaner.push(chunk));
        take();
    }
    builder.text(cleaner.end());
    end(builder);
    take();
    assert.equal(held, builder.reply());
    return { held, builder };
}

describe("reply text a note cannot hold (issue 9)", () => {
    it("cleanText drops NUL and C0 controls but tab and line feed, replaces lone surrogates, makes every break a line feed", () => {
        assert.equal(cleanText("a\u0000b\u0001c\u001fd\te\nf\u007f"), "abcd\te\nf\u007f");
        assert.equal(cleanText("x\ud800y\udc00z😀"), "x\ufffdy\ufffdz😀");
        assert.equal(cleanText("1\r\n2\r3\u20284\u20295"), "1\n2\n3\n4\n5");
    });

    it("streams to the same text in any chunking: pairs and CRLF split across chunks", () => {
        const text = "a\r\nb😀c\u0000d\r\re\ud800";
        const random = rng(5);
        for (let i = 0; i < 200; i++) {
            const cleaner = new TextCleaner();
            let out = "";
            for (let at = 0; at < text.length;) {
                const n = 1 + Math.floor(random() * 3);
                out += cleaner.push(text.slice(at, at + n));
                at += n;
            }
            out += cleaner.end();
            assert.equal(out, cleanText(text));
        }
    });

    for (const brk of ["\r", "\r\n", "\u2028", "\u2029"]) {
        it(`a reply line "${JSON.stringify(brk)}### User:" is escaped and reads back as the reply's text`, () => {
            const { held } = streamed([`hi${brk}### User:${brk}> [!error] x${brk}bye`]);
            const note = `### User:\n\nq${held}`;
            const turns = parseNote(note).turns;
            assert.deepEqual(
                turns.map((t) => t.role),
                ["user", "assistant", "user"],
            );
            assert.equal(turns[1]!.text, "hi\n### User:\n> [!error] x\nbye");
            assert.ok(!/[\r\u2028\u2029]/.test(held));
        });
    }
});

describe("ReplyBuilder deltas (issue 9)", () => {
    it("agree with diffText of the full renderings, through fences, escapes, blanks, tools and endings", () => {
        const random = rng(77);
        for (let round = 0; round < 300; round++) {
            const builder = new ReplyBuilder();
            let held = "";
            let previous = builder.reply();
            const check = (): void => {
                const d = builder.delta();
                const next = builder.reply();
                const want = diffText(previous, next);
                if (d) held = applyDelta(held, d);
                else assert.equal(want, null);
                assert.equal(held, next);
                previous = next;
            };
            check();
            const text =
                markdownish(random, 5 + Math.floor(random() * 60)) +
                (round % 3 === 0 ? "\n```js\ncode\n" : "") +
                (round % 5 === 0 ? "\n#    User:   \n   \n  \n" : "");
            let handle = -1;
            for (let at = 0; at < text.length;) {
                const n = 1 + Math.floor(random() * 7);
                const kind = random();
                if (kind < 0.05) builder.thinking(text.slice(at, at + n));
                else if (kind < 0.08) handle = builder.tool("edit", "x", "running");
                else if (kind < 0.1 && handle >= 0) builder.toolSummary(handle, "done");
                else if (kind < 0.12) builder.breakText();
                else builder.text(text.slice(at, at + n));
                at += n;
                check();
            }
            const end = round % 3;
            if (end === 0) builder.finish();
            else if (end === 1) builder.stop();
            else builder.fail("boom\nmore");
            check();
        }
    });

    it("cost follows the change: 2 MB in 100-character chunks, with and without line breaks, in well under a second", function () {
        this.timeout(20_000);
        for (const line of ["x".repeat(79) + "\n", "y".repeat(1000)]) {
            const chunk = line.repeat(Math.ceil(200 / line.length)).slice(0, 100);
            const started = performance.now();
            const builder = new ReplyBuilder();
            let total = 0;
            for (let i = 0; i < 20_000; i++) {
                builder.text(chunk);
                total += builder.delta()?.insert.length ?? 0;
            }
            const ms = performance.now() - started;
            assert.ok(total >= 2_000_000 - 200, `inserted ${total}`);
            assert.ok(ms < 1500, `2 MB took ${Math.round(ms)} ms`);
        }
    });

    it("renders with CRLF when asked: every break of the reply is CRLF", () => {
        const { held } = streamed(["a\nb\n```\ncode"], (b) => b.fail("x\ny"), true);
        assert.ok(!/(^|[^\r])\n/.test(held), JSON.stringify(held));
        assert.equal(held.replace(/\r\n/g, "\n"), streamed(["a\nb\n```\ncode"], (b) => b.fail("x\ny")).held);
    });
});
