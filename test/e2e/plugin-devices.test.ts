/**
 * End to end, in Chromium (docs/daemon.md): a second writer (a sync tool) changes a chat note on disk while
 * Obsidian has it open, the watcher's turn on a note opened mid-turn is followed in the editor, and
 * the desktop's typing is sent only by the plugin's own triggers. The daemon watches with its
 * defaults (watching on, 2 s idle); the shim merges disk changes into open notes as Obsidian does.
 */
import assert from "node:assert/strict";
import { lookedAt } from "../helpers/watch";
import { browserSuite, realErrors, type TestPage, type World } from "./harness/e2e-setup";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const HEAD = "### Assistant:";
const SCAFFOLD = "\n\n### User:\n\n";
const ANSWERED = "First question\n\n### Assistant:\n\nFirst answer\n\n### User:\n\n";
const REPLY = Array.from({ length: 30 }, (_, i) => `part${i}`).join(" ");

describe("plugin in Chromium: questions from other devices", function () {
    let world: World;
    browserSuite(this, (w) => (world = w), 45_000);

    const asked = (marker: string): number =>
        world.daemon.fake.requests.filter((r) => JSON.stringify(r.body?.messages ?? []).includes(marker)).length;
    const reported = (page: TestPage, path: string): boolean =>
        page.sent.some((s) => s.path === "/v1/chat/open" && ((s.body as { filenames?: string[] }).filenames ?? []).includes(path));

    it("a question a sync tool writes into the open note is sent once, by the plugin, and streams into the editor", async () => {
        world.note("Chats/synced.md", ANSWERED);
        const page = await world.page(undefined, { diskWatchMs: 150 });
        await page.call("open", "Chats/synced.md");
        await page.until("the open note reported", () => Promise.resolve(reported(page, "Chats/synced.md")));
        world.daemon.fake.enqueue({ text: "Synced answer (e2e-synced)", chunkSize: 4, chunkDelayMs: 20 });
        world.note("Chats/synced.md", `${ANSWERED}From the phone (e2e-synced)\n`);
        const done = await page.done(0);
        await page.until("the reply in the editor", async () => (await page.text()) === done.new_content);
        assert.ok(done.new_content.endsWith(`Synced answer (e2e-synced)${SCAFFOLD}`), done.new_content);
        const sends = page.sent.filter((s) => s.path === "/v1/chat/stream" && s.method === "POST");
        assert.equal(sends.length, 1);
        assert.equal((sends[0]!.body as { writer?: string }).writer, "editor");
        await page.until("the file saved", () => Promise.resolve(world.disk("Chats/synced.md") === done.new_content));
        // The watcher looks at the saved reply once the turn's hold is over: nobody answers it a second time.
        assert.equal(await lookedAt(world.daemon, "Chats/synced.md", 0, 15_000), "open in Obsidian: the plugin sends it");
        assert.equal(asked("e2e-synced"), 1);
        assert.deepEqual(realErrors(page), []);
    });

    it("text typed in an open chat note is not answered because Obsidian autosaved it; the save sends it once", async () => {
        world.note("Chats/typed.md", ANSWERED);
        const page = await world.page(undefined, { diskWatchMs: 150 });
        await page.call("open", "Chats/typed.md");
        await page.until("the open note reported", () => Promise.resolve(reported(page, "Chats/typed.md")));
        await page.call("typeAtEnd", "Typed on the desktop (e2e-typed)");
        await page.until("the autosave", () => Promise.resolve((world.disk("Chats/typed.md") ?? "").includes("e2e-typed")));
        assert.equal(await lookedAt(world.daemon, "Chats/typed.md", 0, 15_000), "open in Obsidian: the plugin sends it");
        assert.equal(
            asked("e2e-typed"),
            0,
            `the watcher answered text typed in Obsidian: ${JSON.stringify(page.sent.map((s) => [s.method, s.path]))} ${world.daemon.stderr().slice(-1500)}`,
        );
        await page.page.keyboard.press("Control+s");
        const done = await page.done(0);
        await page.until("the reply in the editor", async () => (await page.text()) === done.new_content);
        await page.until("the file saved", () => Promise.resolve(world.disk("Chats/typed.md") === done.new_content), 10_000);
        assert.equal(await lookedAt(world.daemon, "Chats/typed.md", 0, 15_000), "open in Obsidian: the plugin sends it");
        assert.equal(asked("e2e-typed"), 1);
    });

    it("a watcher turn on a note opened mid-turn is followed in the editor, keystrokes kept, and written once", async () => {
        world.note("Chats/other.md", ANSWERED);
        const page = await world.page(undefined, { diskWatchMs: 150 });
        await page.call("open", "Chats/other.md");
        world.daemon.fake.enqueue({ text: REPLY, chunkSize: 3, chunkDelayMs: 60 });
        world.note("Chats/phone.md", "Asked on the phone (e2e-rejoin)\n");
        // The watcher starts the turn after its idle time; the note is closed in Obsidian.
        await page.until("the watcher's turn", () => Promise.resolve(asked("e2e-rejoin") === 1), 10_000);
        await sleep(300);
        await page.call("open", "Chats/phone.md");
        await page.until("the rejoin", () => Promise.resolve(page.sent.some((s) => s.method === "GET" && s.path === "/v1/chat/stream")));
        await page
            .until("the reply growing in the editor", async () => (await page.text()).includes("part10"))
            .catch(async (err: Error) => {
                throw new Error(
                    `${err.message}: ${JSON.stringify(page.sent.map((s) => [s.method, s.path]))} ${JSON.stringify(await page.text())} ${JSON.stringify(world.disk("Chats/phone.md"))}`,
                );
            });
        // A keystroke at the top while the reply grows.
        await page.call("select", (await page.text()).indexOf("Asked on the phone"));
        await page.page.keyboard.type("Q: ");
        await page.until("the whole reply", async () => (await page.text()).endsWith(`${REPLY}${SCAFFOLD}`), 15_000);
        const text = await page.text();
        assert.ok(text.includes("Q: Asked on the phone (e2e-rejoin)"), text);
        assert.equal(text.split(HEAD).length - 1, 1, text);
        assert.equal((await page.call("selection")).head, text.indexOf("Q: Asked") + 3, "the cursor moved");
        await page.until("the file saved", () => Promise.resolve(world.disk("Chats/phone.md") === text), 10_000);
        assert.equal(asked("e2e-rejoin"), 1);
        assert.deepEqual(realErrors(page), []);
    });

    it("on a phone, a daemon URL of 127.0.0.1 gets a notice saying what to set instead", async () => {
        const page = await world.page({ daemonUrl: "http://127.0.0.1:8765", token: world.daemon.token }, { mobile: true });
        await page.until("the notice", async () => (await page.call("notices")).some((n: string) => n.includes("points at this phone")));
        const desktop = await world.page({ daemonUrl: "http://127.0.0.1:8765", token: world.daemon.token });
        await sleep(300);
        assert.ok(!(await desktop.call("notices")).some((n: string) => n.includes("points at this phone")));
    });
});
