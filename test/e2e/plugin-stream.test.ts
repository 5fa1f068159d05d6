/**
 * End to end, in Chromium: the bundled plugin in the Obsidian shim with a real CodeMirror 6 editor,
 * talking to the real daemon (agents on the fake LLM). What is asserted is what a person would
 * notice: the editor's text, where their cursor is, the note's bytes on disk, what the daemon got.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { call } from "../helpers/client";
import { nextFence, type Fence } from "../../shared/note/markdown-lines";
import { browserSuite, realErrors, type TestPage, type World } from "./harness/e2e-setup";

const STORY = Array.from({ length: 40 }, (_, i) => `Sentence ${i + 1} of a story that keeps going.`).join(" ");

function modelRequests(world: World): number {
    return world.daemon.fake.requests.filter((r) => r.api !== "other").length;
}

async function streaming(page: TestPage, minBody = 20): Promise<void> {
    await page.until("the reply to start", async () => {
        const text = await page.text();
        const at = text.indexOf("### Assistant:\n\n");
        return at >= 0 && text.length - at > 16 + minBody;
    });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Ctrl+End, then waits for CodeMirror to have read the new cursor (it does so on selectionchange). */
async function cursorToEnd(page: TestPage): Promise<number> {
    await page.page.keyboard.press("Control+End");
    const end = (await page.text()).length;
    await page.until("the cursor at the end", async () => (await page.call("selection")).head === end);
    return end;
}

/** Real keystrokes at `at`; resolves once the editor has the text and the cursor after it. */
async function typeAt(page: TestPage, at: number, text: string): Promise<void> {
    await page.call("select", at);
    await page.page.keyboard.type(text);
    await page.until(`"${text}" typed`, async () => {
        const now = await page.call("snapshot");
        return now.text.slice(now.head - text.length, now.head) === text;
    });
}

describe("plugin in Chromium: streaming into the editor", function () {
    let world: World;
    browserSuite(this, (w) => (world = w));

    it("saving a chat note sends it once; the reply streams in; autosave never sends", async () => {
        world.note("Chats/capital.md", "What is the capital of France?\n");
        const page = await world.page();
        await page.call("open", "Chats/capital.md");
        const requestsBefore = modelRequests(world);
        world.daemon.fake.enqueue({
            text: "Paris is the capital of France. It lies on the Seine, and about two million people live there.",
            chunkSize: 3,
            chunkDelayMs: 15,
        });
        await page.call("recordDocs", true);
        const cursor = await cursorToEnd(page);
        await page.page.keyboard.press("Control+s");

        await page.until("the streaming status", async () => (await page.call("status")) === "Lodge: streaming (assistant)");
        const done = await page.done(0);
        await page.until("the reply in the editor", async () => (await page.text()) === done.new_content);
        const versions = await page.call("recordDocs", false);
        assert.equal(done.status, "ok");
        assert.ok(versions.length >= 4, `the reply arrived in ${versions.length} steps, not at once`);
        for (let i = 1; i < versions.length; i++) assert.ok(versions[i]!.length >= versions[i - 1]!.length, "each step adds to the reply");
        assert.equal(modelRequests(world), requestsBefore + 1, "one save, one turn");
        const sent = world.daemon.fake.requests.filter((r) => r.api !== "other").at(-1)!;
        assert.match(JSON.stringify(sent.body.messages.at(-1)), /What is the capital of France\?/);
        // The cursor stayed where the person left it: only the frontmatter above it moved it.
        assert.equal((await page.call("selection")).head, cursor + done.frontmatter.length);
        await page.until("the note saved to disk", () => Promise.resolve(world.disk("Chats/capital.md") === done.new_content));
        await page.until("the idle status", async () => (await page.call("status")) === "Lodge: idle");
        await page.screenshot("plugin-after-turn");

        // The person starts the next turn; autosave writes it but must not send it.
        await typeAt(page, (await page.text()).length, "And of Italy?");
        await page.until("autosave", () => Promise.resolve(world.disk("Chats/capital.md")?.endsWith("And of Italy?") ?? false));
        await sleep(300);
        assert.equal(modelRequests(world), requestsBefore + 1, "autosave sent nothing");

        world.daemon.fake.enqueue({ text: "Rome.", chunkSize: 2 });
        await page.page.keyboard.press("Control+s");
        const second = await page.done(1);
        await page.until("the second reply", async () => (await page.text()) === second.new_content);
        assert.equal(modelRequests(world), requestsBefore + 2);
        const messages = world.daemon.fake.requests.filter((r) => r.api !== "other").at(-1)!.body.messages as unknown[];
        assert.equal(messages.length, 3, "history sent: question, reply, new question");
        assert.equal((await page.streams()).length, 2, "nothing fired twice");
        assert.deepEqual(realErrors(page), []);
    });

    it("keeps what the person types above, inside and after the reply, and their cursor where they left it", async () => {
        world.note("Chats/typing.md", "Tell me a story.");
        const page = await world.page();
        await page.call("open", "Chats/typing.md");
        world.daemon.fake.enqueue({ text: STORY, chunkSize: 12, chunkDelayMs: 25 });
        await cursorToEnd(page);
        await page.page.keyboard.press("Control+s");
        await streaming(page);

        // Above the reply, in the question: the cursor must not move while deltas keep arriving.
        await typeAt(page, 4, "[above]");
        assert.equal((await page.call("selection")).head, 11);
        const grown = (await page.text()).length;
        await page.until("more of the reply", async () => (await page.text()).length > grown + 40);
        assert.equal((await page.call("selection")).head, 11, "a cursor above the reply never moves");

        // Inside the reply.
        const text = await page.text();
        await typeAt(page, text.indexOf("### Assistant:\n\n") + 16 + 9, "[inside]");
        const insideAt = (await page.call("selection")).head;
        await sleep(150);
        const inside = await page.call("snapshot");
        assert.equal(inside.head, insideAt, "a cursor inside the reply stays put");
        assert.equal(inside.text.slice(insideAt - 8, insideAt), "[inside]");

        // After the reply: the reply keeps growing before the person's text; the cursor stays after it.
        await page.call("typeAtEnd", "[after]");
        for (let i = 0; i < 5; i++) {
            await sleep(100);
            const now = await page.call("snapshot");
            assert.equal(now.text.slice(now.head - 7, now.head), "[after]", "the cursor stays right after what was typed");
            assert.ok(now.text.endsWith("[after]"), "the reply grows before the person's text");
        }

        const done = await page.done(0);
        await page.until("the end of the reply", async () => (await page.text()).includes("### User:"));
        const final = await page.text();
        assert.equal(final.replace("[above]", "").replace("[inside]", "").replace("[after]", ""), done.new_content);
        assert.ok(final.endsWith("### User:\n\n[after]"));
        assert.ok(final.startsWith(`${done.frontmatter}Tell[above] me a story.`));
        assert.deepEqual(realErrors(page), []);
    });

    it("the view stays where the person has it, even scrolled to the end of a long note", async () => {
        const history = Array.from({ length: 120 }, (_, i) => `Line ${i} of an earlier part of the note.`).join("\n");
        world.note("Chats/long.md", `${history}\n\nAnd now a question?\n`);
        const page = await world.page();
        await page.call("open", "Chats/long.md");
        const top = await page.call("scrollToEnd");
        assert.ok(top > 500, "the note is longer than the window");
        const firstVisible = await page.call("topLine");
        assert.match(firstVisible, /^Line \d+ of an earlier part/);
        world.daemon.fake.enqueue({ text: STORY, chunkSize: 12, chunkDelayMs: 10 });
        await page.page.keyboard.press("Control+s");
        await page.until("half the reply", async () => (await page.text()).length > 5000 + STORY.length / 2);
        assert.equal(await page.call("topLine"), firstVisible, "the view did not follow the reply while it streamed");
        const done = await page.done(0);
        await page.until("the reply in the editor", async () => (await page.text()) === done.new_content);
        for (let i = 0; i < 3; i++) {
            await sleep(100);
            assert.equal(await page.call("topLine"), firstVisible, "the same line is at the top of the view");
        }
    });

    it("the person scrolls while the reply streams: the view stays where they scrolled to", async () => {
        const history = Array.from({ length: 200 }, (_, i) => `Line ${i} of an earlier part of the note.`).join("\n");
        world.note("Chats/scrolled.md", `${history}\n\nAnd now a question?\n`);
        const page = await world.page();
        await page.call("open", "Chats/scrolled.md");
        await page.call("scrollToEnd");
        const before = await page.call("topLine");
        world.daemon.fake.enqueue({ text: STORY, chunkSize: 12, chunkDelayMs: 10 });
        await page.page.keyboard.press("Control+s");
        await page.until("some of the reply", async () => (await page.text()).includes("### Assistant:"));
        const box = (await page.page.locator(".cm-scroller").first().boundingBox())!;
        await page.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        // Wheel steps between flushes: a flush that kept an older scroll position would undo them.
        for (let i = 0; i < 6; i++) {
            await page.page.mouse.wheel(0, -120);
            await sleep(40);
        }
        await sleep(200);
        const scrolledTo = await page.call("topLine");
        assert.notEqual(scrolledTo, before, "the wheel moved the view");
        await page.until("more of the reply", async () => (await page.text()).length > history.length + STORY.length / 2);
        assert.equal(await page.call("topLine"), scrolledTo, "the view stayed where the person scrolled to");
        const done = await page.done(0);
        await page.until("the reply in the editor", async () => (await page.text()) === done.new_content);
        await sleep(100);
        assert.equal(await page.call("topLine"), scrolledTo);
        assert.deepEqual(realErrors(page), []);
    });

    it("switching notes mid-stream: the reply lands in its own note and nowhere else", async () => {
        world.note("Chats/first.md", "First question?\n");
        world.note("Notes/second.md", "Second note, untouched.\n");
        const page = await world.page();
        await page.call("open", "Chats/first.md");
        world.daemon.fake.enqueue({ text: STORY, chunkSize: 12, chunkDelayMs: 20 });
        await cursorToEnd(page);
        await page.page.keyboard.press("Control+s");
        await streaming(page);

        await page.call("open", "Notes/second.md"); // the same tab, the same CodeMirror view
        for (let i = 0; i < 4; i++) {
            await sleep(100);
            assert.equal(await page.text(), "Second note, untouched.\n", "nothing streams into the other note");
        }
        const done = await page.done(0);
        await page.until("the reply in the first note's file", () => Promise.resolve(world.disk("Chats/first.md") === done.new_content));
        assert.equal(world.disk("Notes/second.md"), "Second note, untouched.\n");
        assert.equal(await page.text(), "Second note, untouched.\n");

        await page.call("open", "Chats/first.md");
        assert.equal(await page.text(), done.new_content);
        assert.deepEqual(realErrors(page), []);
    });

    it("switching away and back mid-stream: the reply carries on in the editor, whole and once", async () => {
        world.note("Chats/back.md", "Come back?\n");
        world.note("Notes/other.md", "Other.\n");
        const page = await world.page();
        await page.call("open", "Chats/back.md");
        world.daemon.fake.enqueue({ text: STORY, chunkSize: 8, chunkDelayMs: 20 });
        await cursorToEnd(page);
        await page.page.keyboard.press("Control+s");
        await streaming(page);
        await page.call("open", "Notes/other.md");
        await sleep(400);
        await page.call("open", "Chats/back.md");
        const reopened = await page.text();
        assert.ok(!reopened.includes("### User:"), "still streaming when the note is back");
        const done = await page.done(0);
        await page.until("the reply in the editor", async () => (await page.text()) === done.new_content);
        await page.until("saved", () => Promise.resolve(world.disk("Chats/back.md") === done.new_content));
        assert.equal(world.disk("Notes/other.md"), "Other.\n");
        assert.equal(done.new_content.split("### Assistant:").length, 2);
        assert.deepEqual(realErrors(page), []);
    });

    it("closing the tab mid-stream: the reply still lands in the note's file", async () => {
        world.note("Chats/closed.md", "Close me?\n");
        const page = await world.page();
        await page.call("open", "Chats/closed.md");
        world.daemon.fake.enqueue({ text: STORY, chunkSize: 12, chunkDelayMs: 15 });
        await cursorToEnd(page);
        await page.page.keyboard.press("Control+s");
        await streaming(page);
        await page.call("closeTab");
        const done = await page.done(0);
        await page.until("the reply in the file", () => Promise.resolve(world.disk("Chats/closed.md") === done.new_content));
        assert.deepEqual(realErrors(page), []);
    });

    it("stop: the reply ends with the stopped warning, then the scaffold (text had arrived)", async () => {
        world.note("Chats/stop.md", "Talk for a long time.\n");
        const page = await world.page();
        await page.call("open", "Chats/stop.md");
        world.daemon.fake.enqueue({ text: STORY.repeat(3), chunkSize: 4, chunkDelayMs: 30 });
        await page.page.keyboard.press("Control+s");
        await streaming(page);
        assert.equal(await page.call("runCommand", "lodge:stop-reply"), true);
        const done = await page.done(0);
        assert.equal(done.status, "cancelled");
        await page.until("the stopped reply in the editor", async () => (await page.text()) === done.new_content);
        const text = await page.text();
        assert.ok(text.endsWith("\n\n> [!warning]- stopped\n\n### User:\n\n"), text.slice(-80));
        assert.ok(text.length < 1000, "stopped long before the end of the reply");
        assert.deepEqual(
            page.sent.filter((r) => r.path === "/v1/chat/cancel"),
            [{ method: "POST", path: "/v1/chat/cancel", body: { filename: "Chats/stop.md" } }],
        );
        await page.until("idle", async () => (await page.call("status")) === "Lodge: idle");
        assert.deepEqual(realErrors(page), []);
    });

    it("daemon down at send time: a notice says so, the status is offline, the note is untouched", async () => {
        const port = await new Promise<number>((resolve) => {
            const s = createServer().listen(0, "127.0.0.1", () => {
                const p = (s.address() as { port: number }).port;
                s.close(() => resolve(p));
            });
        });
        world.note("Chats/down.md", "Anyone there?\n");
        const page = await world.page({ daemonUrl: `http://127.0.0.1:${port}`, token: "whatever" });
        await page.call("open", "Chats/down.md");
        const before = modelRequests(world);
        await page.page.keyboard.press("Control+s");
        await page.until("a notice", async () => (await page.call("notices")).some((n) => n.includes("not reachable")));
        assert.deepEqual(await page.call("notices"), [
            `The Lodge daemon is not reachable at http://127.0.0.1:${port}. Start it with "lodge start", or check the URL in settings.`,
        ]);
        assert.equal(await page.call("status"), "Lodge: offline");
        assert.equal(await page.text(), "Anyone there?\n");
        assert.equal(world.disk("Chats/down.md"), "Anyone there?\n");
        assert.equal(modelRequests(world), before);
    });

    it("a daemon refusal reaches the person as a notice with the daemon's own message", async () => {
        const text = "---\nagent: nobody\n---\nHello?\n";
        world.note("Chats/refused.md", text);
        const expected = await call(world.daemon, "/v1/chat/stream", {
            body: { filename: "Chats/refused.md", content: text, writer: "editor" },
        });
        assert.equal(expected.status, 404);
        const page = await world.page();
        await page.call("open", "Chats/refused.md");
        await page.page.keyboard.press("Control+s");
        await page.until("a notice", async () => (await page.call("notices")).length > 0);
        assert.deepEqual(await page.call("notices"), [`Lodge: ${expected.body.error.message}`]);
        assert.equal(await page.text(), text);
        assert.equal(await page.call("status"), "Lodge: idle");
    });

    it("a reply with a long code block and a table: never an open fence or a half-written row on screen", async () => {
        const code = Array.from({ length: 80 }, (_, i) => `    value_${i} = compute(${i}) * ${i} | 0  # line ${i}`).join("\n");
        const reply = `Here is the code:\n\n\`\`\`python\ndef main():\n${code}\n\`\`\`\n\n| name | value |\n| --- | --- |\n| alpha | 1 |\n| beta | 2 |\n\nThat is all.`;
        world.note("Chats/code.md", "Write me some code.\n");
        const page = await world.page();
        await page.call("open", "Chats/code.md");
        world.daemon.fake.enqueue({ text: reply, chunkSize: 7, chunkDelayMs: 2 });
        await page.call("recordDocs", true);
        await page.page.keyboard.press("Control+s");
        const done = await page.done(0);
        await page.until("the reply in the editor", async () => (await page.text()) === done.new_content);
        const versions = await page.call("recordDocs", false);
        assert.ok(versions.length > 5);
        for (const version of versions) {
            const body = version.slice(version.indexOf("Write me some code."));
            let fence: Fence | null = null;
            for (const line of body.split("\n")) {
                fence = nextFence(line, fence);
                if (!fence && line.startsWith("|"))
                    assert.ok(line.trimEnd().endsWith("|"), `a half-written table row was shown: ${JSON.stringify(line)}`);
            }
            assert.equal(fence, null, "an unclosed code fence was shown");
        }
        assert.ok(done.new_content.includes(code));
        assert.deepEqual(realErrors(page), []);
    });
});
