/**
 * End to end, in Chromium: installing the plugin with `lodge install-plugin`, its settings, and the
 * commands other than send-on-save, against the real daemon.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { call } from "../helpers/client";
import { LODGE_BIN, testEnv } from "../helpers/daemon";
import { browserSuite, realErrors, type TestPage, type World } from "./harness/e2e-setup";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function streaming(page: TestPage): Promise<void> {
    await page.until("the reply to start", async () => (await page.text()).includes("### Assistant:\n\nSent"));
}

const STORY = Array.from({ length: 60 }, (_, i) => `Sentence ${i + 1} goes on.`).join(" ");

describe("plugin in Chromium: install, settings and commands", function () {
    let world: World;
    browserSuite(this, (w) => (world = w));

    it("lodge install-plugin: the installed plugin works on first enable and moves its token into secret storage", async () => {
        const run = spawnSync(
            process.execPath,
            [LODGE_BIN, "install-plugin", "--vault", world.daemon.vault, "--data", world.daemon.data, "--url", world.daemon.url],
            { env: testEnv(), encoding: "utf8" },
        );
        assert.equal(run.status, 0, run.stderr);
        const dir = join(world.daemon.vault, ".obsidian", "plugins", "lodge");
        for (const file of ["main.js", "manifest.json", "styles.css"]) assert.ok(existsSync(join(dir, file)), file);
        const installed = JSON.parse(readFileSync(join(dir, "data.json"), "utf8")) as { daemonUrl: string; token: string };
        assert.equal(installed.daemonUrl, world.daemon.url);

        const page = await world.page(null, { installed: true });
        assert.equal(await page.call("secret", "lodge-daemon-token"), installed.token);
        const stored = world.pluginData();
        assert.equal(stored.token, "", "data.json keeps an empty copy");
        assert.equal(stored.daemonUrl, world.daemon.url);
        assert.equal(stored.sendOnSave, true);

        assert.equal(await page.call("runCommand", "lodge:check-connection"), true);
        await page.until("a notice", async () => (await page.call("notices")).length > 0);
        assert.match(
            (await page.call("notices"))[0]!,
            new RegExp(`^Connected to Lodge \\S+ at ${world.daemon.url}\\. Agents: assistant, gpt\\.$`),
        );

        world.note("Chats/installed.md", "Does the token work?\n");
        await page.call("open", "Chats/installed.md");
        world.daemon.fake.enqueue({ text: "Yes.", chunkSize: 2 });
        await page.page.keyboard.press("Control+s");
        const done = await page.done(0);
        await page.until("the reply", async () => (await page.text()) === done.new_content);
        assert.deepEqual(realErrors(page), []);
    });

    it("without secret storage (Obsidian before 1.11.4) the token stays in data.json and still works", async () => {
        const page = await world.page(
            { daemonUrl: world.daemon.url, token: world.daemon.token, chatFolder: "Chats" },
            { apiVersion: "1.10.0", secretStorage: false },
        );
        assert.equal(await page.call("runCommand", "lodge:check-connection"), true);
        await page.until("a notice", async () => (await page.call("notices")).length > 0);
        assert.match((await page.call("notices"))[0]!, /^Connected to Lodge/);
        assert.equal(world.pluginData().token, world.daemon.token);
    });

    it("registers its commands without the plugin's name in their ids and with no default hotkeys", async () => {
        const page = await world.page();
        const ids = (await page.call("commandIds")).filter((id) => id.startsWith("lodge:")).sort();
        assert.deepEqual(ids, [
            "lodge:check-connection",
            "lodge:choose-agent",
            "lodge:new-chat",
            "lodge:regenerate-reply",
            "lodge:send-note",
            "lodge:stop-reply",
        ]);
        const hotkeys = await page.call("commandHotkeys");
        for (const id of ids) assert.equal(hotkeys[id], null, id);
    });

    it("new chat: a note in the chat folder with agent set and the cursor in its first user turn", async () => {
        const page = await world.page();
        assert.equal(await page.call("runCommand", "lodge:new-chat"), true);
        await page.until("the new note", async () => (await page.call("activePath"))?.startsWith("Chats/Chat ") ?? false);
        const path = (await page.call("activePath"))!;
        assert.match(path, /^Chats\/Chat \d{4}-\d\d-\d\d \d{4}( \d+)?\.md$/);
        // The tab names the new note a moment before its text is loaded (as in Obsidian): wait for both.
        await page.until("the new note's text and cursor", async () => {
            const now = await page.call("snapshot");
            return now.text === "---\nagent: assistant\n---\n" && now.head === now.text.length;
        });
        await page.page.keyboard.type("Hello there, who are you?");
        await page.until("typed", async () => (await page.text()).endsWith("who are you?"));
        world.daemon.fake.enqueue({ text: "An assistant.", chunkSize: 3 });
        await page.page.keyboard.press("Control+s");
        const done = await page.done(0);
        await page.until("the reply", async () => (await page.text()) === done.new_content);
        assert.equal(world.disk(path) !== null, true);
        assert.deepEqual(realErrors(page), []);
    });

    it("choose agent: the suggester lists the daemon's agents and sets agent: in the note; the next turn uses it", async () => {
        world.note("Chats/pick.md", "Which model are you?\n");
        const page = await world.page();
        await page.call("open", "Chats/pick.md");
        assert.equal(await page.call("runCommand", "lodge:choose-agent"), true);
        await page.page.waitForSelector(".suggestion-item");
        const names = await page.page.locator(".suggestion-item .lodge-agent-name").allInnerTexts();
        assert.deepEqual(names, ["assistant", "gpt"]);
        await page.page.locator(".suggestion-item", { hasText: "gpt" }).click();
        await page.until("agent set", async () => (await page.text()).startsWith("---\nagent: gpt\n---\n"));
        assert.equal(await page.text(), "---\nagent: gpt\n---\nWhich model are you?\n");
        world.daemon.fake.enqueue({ text: "GPT here.", chunkSize: 3 });
        await page.page.keyboard.press("Control+s");
        const done = await page.done(0);
        assert.equal(done.agent, "gpt");
        assert.equal(world.daemon.fake.requests.filter((r) => r.api !== "other").at(-1)!.api, "openai");
        await page.until("the reply", async () => (await page.text()) === done.new_content);
    });

    it("regenerate: the last reply is replaced by a new one", async () => {
        world.note("Chats/again.md", "Say something.\n");
        const page = await world.page();
        await page.call("open", "Chats/again.md");
        world.daemon.fake.enqueue({ text: "First answer.", chunkSize: 4 });
        await page.page.keyboard.press("Control+s");
        const first = await page.done(0);
        await page.until("the first reply", async () => (await page.text()) === first.new_content);
        world.daemon.fake.enqueue({ text: "Second answer.", chunkSize: 4 });
        assert.equal(await page.call("runCommand", "lodge:regenerate-reply"), true);
        const second = await page.done(1);
        await page.until("the second reply", async () => (await page.text()) === second.new_content);
        const text = await page.text();
        assert.equal(text.split("### Assistant:").length, 2, "one reply");
        assert.ok(text.includes("Second answer.") && !text.includes("First answer."));
        const sent = world.daemon.fake.requests.filter((r) => r.api !== "other").at(-1)!.body.messages as unknown[];
        assert.equal(sent.length, 1, "the regenerated turn is sent without the old reply");
    });

    it("settings: the tab shows every setting; turning off send on save is saved and Ctrl+S then sends nothing", async () => {
        world.note("Chats/quiet.md", "Do not send me.\n");
        const page = await world.page();
        await page.call("openSettings");
        const names = await page.page.locator(".setting-item-name:visible").allInnerTexts();
        assert.deepEqual(
            names,
            [
                "Connection",
                "Daemon URL",
                "Token",
                "Test connection",
                "Chats",
                "Default agent",
                "Chat folder",
                "Sending",
                "Send on save",
                "Send after idle",
            ],
            "the idle time is hidden while send after idle is off",
        );
        const headings = await page.page.locator(".setting-item-heading .setting-item-name").allInnerTexts();
        assert.deepEqual(headings, ["Connection", "Chats", "Sending"]);
        const idle = page.page.locator(".setting-item", { hasText: "Idle time" });
        await page.page.locator(".setting-item", { hasText: "Send after idle" }).locator("input[type=checkbox]").check();
        await idle.waitFor({ state: "visible" });
        await page.page.locator(".setting-item", { hasText: "Send after idle" }).locator("input[type=checkbox]").uncheck();
        await idle.waitFor({ state: "hidden" });
        const test = page.page.locator(".setting-item", { hasText: "Test connection" });
        await test.locator("button").click();
        await page.until("the result in the tab", async () =>
            /^Connected to Lodge \S+ at /.test(await test.locator(".setting-item-description").innerText()),
        );
        assert.deepEqual(await page.call("notices"), [], "the result is in the tab, not a notice");
        assert.equal(await page.page.locator(".setting-item", { hasText: "Token" }).locator("input").getAttribute("type"), "password");
        await page.page.locator(".setting-item", { hasText: "Send on save" }).locator("input[type=checkbox]").uncheck();
        await page.until("saved", () => Promise.resolve(world.pluginData().sendOnSave === false));
        await page.call("open", "Chats/quiet.md");
        await page.page.keyboard.press("Control+s");
        await sleep(500);
        assert.deepEqual(
            page.sent.filter((r) => r.path === "/v1/chat/stream" && r.method === "POST"),
            [],
        );
        assert.equal(await page.text(), "Do not send me.\n");
    });

    it("send after idle (when turned on): a chat note goes once the person stops typing, and only once", async () => {
        world.note("Chats/idle.md", "");
        const page = await world.page({ daemonUrl: world.daemon.url, token: world.daemon.token, sendAfterIdle: true, idleMs: 600 });
        await page.call("open", "Chats/idle.md");
        world.daemon.fake.enqueue({ text: "Answered without a save.", chunkSize: 4 });
        await page.page.keyboard.type("A question typed slowly?", { delay: 20 });
        const done = await page.done(0);
        await page.until("the reply", async () => (await page.text()) === done.new_content);
        await sleep(1200);
        // POSTs only: the plugin may also follow running turns with GET /v1/chat/stream (docs/daemon.md).
        const sends = page.sent.filter((r) => r.path === "/v1/chat/stream" && r.method === "POST");
        assert.equal(sends.length, 1);
        assert.match(JSON.stringify(sends[0]!.body), /A question typed slowly\?/);
    });

    it("the daemon serves GET /v1/config with a strong ETag and answers If-None-Match with 304 (docs/memory.md)", async () => {
        const first = await call(world.daemon, "/v1/config");
        assert.equal(first.status, 200);
        assert.deepEqual(Object.keys(first.body as object).sort(), ["agents", "default_agent", "skills", "version"]);
        const etag = first.headers.get("etag");
        assert.match(etag ?? "", /^"[^"]+"$/, "a strong ETag");
        const again = await call(world.daemon, "/v1/config", { headers: { "if-none-match": etag! } });
        assert.equal(again.status, 304);
    });

    it("disabling the plugin mid-stream: the daemon finishes the reply in the note's file, once", async () => {
        world.note("Chats/unload.md", "Keep going without me.\n");
        const page = await world.page();
        await page.call("open", "Chats/unload.md");
        world.daemon.fake.enqueue({ text: `Sent first. ${STORY}`, chunkSize: 10, chunkDelayMs: 15 });
        await page.page.keyboard.press("Control+s");
        await streaming(page);
        await page.call("unloadPlugin");
        await page.until(
            "the daemon's write",
            () => Promise.resolve(world.disk("Chats/unload.md")?.includes("### User:") ?? false),
            15_000,
        );
        const disk = world.disk("Chats/unload.md")!;
        assert.equal(disk.split("### Assistant:").length, 2, "the reply is in the file once");
        assert.ok(disk.includes(STORY));
        assert.ok(disk.startsWith("---\nagent: assistant\nconversation_id: "));
    });
});
