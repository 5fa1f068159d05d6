/**
 * End to end, in Chromium: docs/notes.md's failed-turn rule as a person meets it in the editor. A turn that
 * fails before any text is retried by the next Ctrl+S and its reply takes the failed turn's place; one
 * that fails after some text keeps it, with the callout and the scaffold, and the next turn goes on.
 */
import assert from "node:assert/strict";
import { browserSuite, realErrors, type TestPage, type World } from "./harness/e2e-setup";

const modelRequests = (world: World) => world.daemon.fake.requests.filter((r) => r.api !== "other");
const texts = (messages: any[]) => messages.map((m) => [m.role, m.content.map((b: any) => b.text).join("")]);

async function failureShown(page: TestPage, message: string): Promise<string> {
    await page.until("the error notice", async () => (await page.call("notices")).some((n) => n.includes(message)));
    await page.until("the idle status", async () => (await page.call("status")) === "Lodge: idle");
    return page.text();
}

describe("plugin in Chromium: a failed turn", function () {
    let world: World;
    browserSuite(this, (w) => (world = w));

    it("fails before any text: no scaffold; Ctrl+S retries and the reply replaces the failed turn", async () => {
        world.note("Chats/retry.md", "What is the capital of France?\n");
        const page = await world.page();
        await page.call("open", "Chats/retry.md");
        const before = modelRequests(world).length;
        world.daemon.fake.enqueue({ status: 400, errorMessage: "refused by the model" });
        await page.page.keyboard.press("Control+s");
        const failed = await failureShown(page, "refused by the model");
        assert.match(failed, /^What is the capital of France\?\n\n### Assistant:\n\n> \[!error\] [^\n]*refused by the model$/);
        await page.until("the failed turn saved", () => Promise.resolve(world.disk("Chats/retry.md") === failed));

        world.daemon.fake.enqueue({ text: "Paris is the capital of France.", chunkSize: 3, chunkDelayMs: 15 });
        await page.page.keyboard.press("Control+s");
        const done = await page.done(1);
        await page.until("the reply in the editor", async () => (await page.text()) === done.new_content);
        const text = await page.text();
        assert.equal(
            text,
            `${done.frontmatter}What is the capital of France?\n\n### Assistant:\n\nParis is the capital of France.\n\n### User:\n\n`,
        );
        assert.equal(text.split("### Assistant:").length, 2, "exactly one assistant turn");
        assert.equal(modelRequests(world).length, before + 2, "the save after the failure sent the note");
        assert.deepEqual(texts(modelRequests(world).at(-1)!.body.messages), [["user", "What is the capital of France?"]]);
        const start = (await page.streams())[1]!.find((e) => e.event === "start")!;
        assert.equal((start.data as { anchor: number }).anchor, "What is the capital of France?".length);
        await page.until("the note saved", () => Promise.resolve(world.disk("Chats/retry.md") === done.new_content));
        assert.deepEqual(realErrors(page), []);
    });

    it("fails after some text: partial reply, callout, scaffold; the next question goes on normally", async () => {
        world.note("Chats/partial.md", "Tell me a story.\n");
        const page = await world.page();
        await page.call("open", "Chats/partial.md");
        world.daemon.fake.enqueue({ text: "Once upon a time there was a fox.", chunkSize: 4, chunkDelayMs: 10, streamErrorAfterChunks: 3 });
        await page.page.keyboard.press("Control+s");
        const failed = await failureShown(page, "");
        assert.match(failed, /^Tell me a story\.\n\n### Assistant:\n\nOnce upon a\n\n> \[!error\] [^\n]+\n\n### User:\n\n$/);

        // Saving again with nothing typed sends nothing: the scaffold is blank.
        const before = modelRequests(world).length;
        await page.page.keyboard.press("Control+s");
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(modelRequests(world).length, before);

        await page.call("select", failed.length);
        await page.page.keyboard.type("Go on.");
        await page.until("typed", async () => (await page.text()).endsWith("Go on."));
        world.daemon.fake.enqueue({ text: "The fox ran home." });
        await page.page.keyboard.press("Control+s");
        const done = await page.done(1);
        await page.until("the reply in the editor", async () => (await page.text()) === done.new_content);
        assert.equal(done.new_content, `${done.frontmatter}${failed}Go on.${done.reply}`);
        assert.equal(done.new_content.split("### Assistant:").length, 3, "the partial turn stays, one new reply");
        const sent = texts(modelRequests(world).at(-1)!.body.messages).map(([role, text]) => [role, text.trim()]);
        assert.deepEqual(sent, [
            ["user", "Tell me a story."],
            ["assistant", "Once upon a"],
            ["user", "Go on."],
        ]);
        assert.deepEqual(realErrors(page), []);
    });
});
