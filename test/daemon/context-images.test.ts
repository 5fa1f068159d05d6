import assert from "node:assert/strict";
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FakeLlm } from "../fakes/fake-llm";
import { call, stream } from "../helpers/client";
import { defaultConfig, ROOT, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { offlineClaudeEnv } from "../helpers/claude-code-env";

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("fake png body")]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("fake jpeg body")]);

describe("notes as context: images, fitting the window, usage (docs/context.md)", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    let n = 0;

    before(async () => {
        fake = await FakeLlm.start();
        const vault = join(scratch(), "vault");
        const files: Record<string, Buffer | string> = {
            "pic.png": PNG,
            "img/photo.jpg": JPEG,
            "fake.png": "not an image at all",
            "big.png": Buffer.concat([PNG, Buffer.alloc(6 * 1024 * 1024)]),
        };
        for (const [path, bytes] of Object.entries(files)) {
            mkdirSync(dirname(join(vault, path)), { recursive: true });
            writeFileSync(join(vault, path), bytes);
        }
        const base = defaultConfig(fake) as { agents: Record<string, Record<string, unknown>> };
        const home = scratch("lodge-context-home-");
        const agents = {
            ...base.agents,
            tight: { ...base.agents.assistant, context_tokens: 3000, max_tokens: 1000 },
            coder: {
                backend: "claude-code",
                claude_path: join(ROOT, "node_modules", ".bin", "claude"),
                memory: false,
                request_timeout_ms: 15_000,
                env: offlineClaudeEnv(fake, home),
            },
        };
        d = await startDaemon({ fake, vault, config: { ...base, agents } });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    async function turn(text: string, file = `Chats/i${++n}`, reply: Parameters<FakeLlm["enqueue"]>[0] = { text: "Seen." }) {
        mkdirSync(join(d.vault, dirname(file)), { recursive: true });
        writeFileSync(join(d.vault, `${file}.md`), text);
        fake.enqueue(reply);
        const first = fake.requests.length;
        const r = await stream(d, { filename: file });
        const requests = fake.requests.slice(first).filter((q) => q.api !== "other");
        return { r, body: requests.at(-1)?.body, requests, note: readFileSync(join(d.vault, `${file}.md`), "utf8"), file };
    }

    it("images go to Anthropic as base64 image blocks; the history keeps their paths, not their bytes; problems are named", async () => {
        const t = await turn("Look: ![[pic.png]] ![](img/photo.jpg) ![[fake.png]] ![[big.png]] ![[nope.png]]");
        assert.equal(t.r.terminal?.event, "done");
        const content = t.body.messages.at(-1).content;
        assert.deepEqual(content.slice(1), [
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG.toString("base64") } },
            { type: "image", source: { type: "base64", media_type: "image/jpeg", data: JPEG.toString("base64") } },
        ]);
        assert.match(
            t.note,
            /> \[!info\]- context: 0 notes, 2 images\n> - image pic\.png — 1 KB\n> - image img\/photo\.jpg — 1 KB\n> - !\[\[fake\.png\]\] — not a png, jpeg, gif or webp image\n> - !\[\[big\.png\]\] — 6\.0 MB, larger than 5\.0 MB\n> - !\[\[nope\.png\]\] — not found\n/,
        );
        const id = t.r.terminal.event === "done" ? t.r.terminal.data.conversation_id : "";
        const stored = (await call(d, `/v1/conversations/${id}`)).body.messages[0].content;
        assert.deepEqual(stored.slice(1), [
            { type: "image", path: "pic.png", media_type: "image/png" },
            { type: "image", path: "img/photo.jpg", media_type: "image/jpeg" },
        ]);
        // The next turn reads the image again from the vault; one deleted since is named instead.
        rmSync(join(d.vault, "img/photo.jpg"));
        writeFileSync(join(d.vault, `${t.file}.md`), `${t.note}More?`);
        fake.enqueue({ text: "ok" });
        await stream(d, { filename: t.file });
        const again = fake.requests.at(-1)!.body.messages[0].content;
        assert.deepEqual(again.slice(1), [
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG.toString("base64") } },
            { type: "text", text: "[image img/photo.jpg: no longer in the vault]" },
        ]);
        writeFileSync(join(d.vault, "img/photo.jpg"), JPEG);
    });

    it("images go to OpenAI-compatible servers as image_url data parts", async () => {
        const t = await turn("---\nagent: gpt\n---\nWhat is this? ![[pic.png]]");
        const user = t.body.messages.at(-1);
        assert.deepEqual(user.content, [
            { type: "text", text: "What is this? ![[pic.png]]" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG.toString("base64")}` } },
        ]);
    });

    it("Claude Code gets the images' absolute paths in its prompt", async function () {
        this.timeout(30_000);
        const t = await turn("---\nagent: coder\n---\nDescribe ![[pic.png]]");
        assert.equal(t.r.terminal?.event, "done", JSON.stringify(t.r.terminal));
        const sent = JSON.stringify(t.requests.map((q) => q.body.messages));
        assert.ok(sent.includes(`<image path=\\"${join(realpathSync(d.vault), "pic.png")}\\"/>`), sent.slice(-2000));
        // Its usage is the CLI's `result` line's, the whole run summed.
        const usage = t.r.terminal.event === "done" ? t.r.terminal.data.usage : undefined;
        assert.ok(usage && usage.input_tokens > 0 && usage.output_tokens > 0, JSON.stringify(usage));
    });

    it("the oldest messages are left out to fit context_tokens − max_tokens; the first turn and the new one stay; the note and database keep all", async () => {
        const turns: string[] = [];
        for (let i = 0; i < 12; i++)
            turns.push(`### User:\n\nquestion ${i} ${"q".repeat(700)}`, `### Assistant:\n\nanswer ${i} ${"a".repeat(700)}`);
        const t = await turn(`---\nagent: tight\n---\n${turns.join("\n\n")}\n\n### User:\n\nThe new question.`);
        assert.equal(t.r.terminal?.event, "done");
        const texts: string[] = t.body.messages.map((m: any) => m.content[0].text.slice(0, 12));
        assert.equal(texts[0], "question 0 q", "the first user turn stays");
        assert.equal(texts.at(-1), "The new ques");
        assert.ok(texts.length < 25 && texts.length > 3, texts.join(" | "));
        assert.equal(texts[1]!.slice(0, 6), "answer", "the request still alternates");
        const left = 25 - texts.length;
        assert.match(
            t.note,
            new RegExp(`> \\[!info\\]- context: 0 notes, 0 images\\n> - ${left} earlier messages left out to fit the context window\\n`),
        );
        const id = t.r.terminal.event === "done" ? t.r.terminal.data.conversation_id : "";
        assert.equal((await call(d, `/v1/conversations/${id}`)).body.message_count, 26);
    });

    it("usage: done.usage per turn, summed per conversation, from Anthropic and OpenAI-compatible servers", async () => {
        const t = await turn("Count me.", undefined, { text: "Counted.", usage: { input_tokens: 11, output_tokens: 5 } });
        assert.equal(t.r.terminal?.event, "done");
        const done = t.r.terminal.event === "done" ? t.r.terminal.data : null;
        assert.deepEqual(done!.usage, { input_tokens: 11, output_tokens: 5, cache_read_tokens: 0, cache_write_tokens: 0 });
        writeFileSync(join(d.vault, `${t.file}.md`), `${t.note}Again.`);
        fake.enqueue({ text: "Again.", usage: { input_tokens: 20, output_tokens: 7 } });
        await stream(d, { filename: t.file });
        const conv = await call(d, `/v1/conversations/${done!.conversation_id}`);
        assert.deepEqual(conv.body.usage, { input_tokens: 31, output_tokens: 12, cache_read_tokens: 0, cache_write_tokens: 0 });
        const g = await turn("---\nagent: gpt\n---\nCount me too.", undefined, {
            text: "ok",
            usage: { input_tokens: 3, output_tokens: 4 },
        });
        assert.deepEqual(g.r.terminal!.event === "done" && g.r.terminal!.data.usage, {
            input_tokens: 3,
            output_tokens: 4,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
        });
    });

    it("a failed turn with an info callout counts as absent: saving again replaces it", async () => {
        const t = await turn("![[pic.png]] fails", undefined, { status: 400, errorMessage: "bad request from the fake" });
        assert.equal(t.r.terminal?.event, "error");
        assert.match(t.note, /### Assistant:\n\n> \[!info\]- context: 0 notes, 1 image\n> - image pic\.png — 1 KB\n\n> \[!error\]/);
        fake.enqueue({ text: "Now it works." });
        const r = await stream(d, { filename: t.file });
        assert.equal(r.terminal?.event, "done");
        const note = readFileSync(join(d.vault, `${t.file}.md`), "utf8");
        assert.equal(note.match(/### Assistant:/g)?.length, 1, note);
        assert.match(
            note,
            /^!\[\[pic\.png\]\] fails\n\n### Assistant:\n\n> \[!info\]- context: 0 notes, 1 image\n> - image pic\.png — 1 KB\n\nNow it works\.\n\n### User:\n\n$/m,
        );
        assert.equal(fake.requests.at(-1)!.body.messages.length, 1);
    });
});
