/**
 * End to end, in Chromium, against the real daemon: the cached configuration keeps the agent picker
 * working after a restart with the daemon down (docs/memory.md), a refused token says what to do, and the
 * status bar item checks the connection when clicked.
 */
import assert from "node:assert/strict";
import { browserSuite, realErrors, type World } from "./harness/e2e-setup";

const REFUSED = "Lodge: the daemon refused the plugin's token: run `lodge install-plugin` or paste a token in Settings → Lodge";

describe("plugin in Chromium: connection, cached configuration", function () {
    let world: World;
    browserSuite(this, (w) => (world = w));

    it("the picker lists the daemon's agents after a restart with the daemon down", async () => {
        const first = await world.page();
        await first.until("the configuration cached", () =>
            Promise.resolve(typeof (world.pluginData().daemonConfig as { etag?: unknown } | undefined)?.etag === "string"),
        );
        const cached = world.pluginData().daemonConfig as { config: { agents: { name: string }[] } };
        assert.deepEqual(
            cached.config.agents.map((a) => a.name),
            ["assistant", "gpt"],
        );

        // Obsidian restarts; nothing listens at the daemon's URL now.
        const page = await world.page({ ...world.pluginData(), daemonUrl: "http://127.0.0.1:9" });
        await page.until("offline", async () => (await page.call("status")) === "Lodge: offline");
        assert.equal(await page.call("runCommand", "lodge:choose-agent"), true);
        await page.page.waitForSelector(".suggestion-item");
        assert.deepEqual(await page.page.locator(".suggestion-item .lodge-agent-name").allInnerTexts(), ["assistant", "gpt"]);
        assert.ok((await page.call("notices")).includes("The Lodge daemon did not answer: showing the agents it listed last time."));
        const status = page.page.locator(".status-bar-item.lodge-status");
        assert.notEqual(
            await status.evaluate((el) => getComputedStyle(el).color),
            await page.page.locator(".status-bar").evaluate((el) => getComputedStyle(el).color),
            "offline is coloured",
        );
    });

    it("a refused token: the notice says what to do, once, and the status bar says so", async () => {
        const page = await world.page({ daemonUrl: world.daemon.url, token: "lodge_wrong-token-000000000000000000" });
        await page.until("the status", async () => (await page.call("status")) === "Lodge: token refused");
        // Obsidian regains focus: the configuration is asked again, refused again, and not announced again.
        const refusals = (): number => page.errors.filter((e) => e.includes("status of 401")).length;
        const before = refusals();
        await page.page.evaluate(() => window.dispatchEvent(new Event("focus")));
        await page.until("the second refusal", () => Promise.resolve(refusals() > before));
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.deepEqual(await page.call("notices"), [REFUSED]);
        assert.deepEqual(realErrors(page), []);
    });

    it("clicking the status bar item checks the connection", async () => {
        const page = await world.page();
        await page.until("idle", async () => (await page.call("status")) === "Lodge: idle");
        await page.page.locator(".status-bar-item.lodge-status").click();
        await page.until("a notice", async () => (await page.call("notices")).length > 0);
        assert.match(
            (await page.call("notices"))[0]!,
            new RegExp(`^Connected to Lodge \\S+ at ${world.daemon.url}\\. Agents: assistant, gpt\\.$`),
        );
    });
});
