/**
 * One world per e2e test file: the harness server, the real daemon (agents on a FakeLlm) whose
 * vault the harness serves and whose CORS list holds the harness origin, and one Chromium. A test
 * gets a fresh page booted with the plugin, its data.json written as `lodge install-plugin` does.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Response } from "playwright-core";
import { EventDecoder, type DoneEvent, type StreamEvent } from "../../../shared/protocol/events";
import { startDaemon, type StartedDaemon } from "../../helpers/daemon";
import { WATCH_TRACE } from "../../helpers/watch";
import type { BootOptions } from "../shim/page";
import { type Browser, type HarnessPage, installPluginData, launchBrowser, openHarness } from "./browser";
import { type Harness, startHarness } from "./server";

export interface World {
    harness: Harness;
    daemon: StartedDaemon;
    browser: Browser;
    /** Writes a note into the vault (the daemon's folder). */
    note(path: string, text: string): void;
    /** A note's bytes on disk, or null. */
    disk(path: string): string | null;
    /**
     * A booted page; `data` goes to the plugin's data.json (default: the daemon's URL and token; null
     * leaves data.json as it is).
     */
    page(data?: Record<string, unknown> | null, boot?: BootOptions): Promise<TestPage>;
    /** The plugin's data.json on disk, parsed. */
    pluginData(): Record<string, unknown>;
    close(): Promise<void>;
}

export interface TestPage extends HarnessPage {
    /** Every request the page sent to the daemon: method, path and JSON body. */
    sent: { method: string; path: string; body: unknown }[];
    /** Every `/v1/chat/stream` answer, decoded, in the order they finished. */
    streams(): Promise<StreamEvent[][]>;
    /** The `done` of the n-th stream (waits for it). */
    done(n?: number): Promise<DoneEvent>;
    text(): Promise<string>;
}

export async function createWorld(): Promise<World> {
    let current: TestPage | null = null;
    const harness = await startHarness({ vault: "/nonexistent" });
    // The watcher's trace (test/helpers/watch.ts): tests wait on its looks instead of sleeping.
    const daemon = await startDaemon({ allowedOrigins: [harness.url], env: WATCH_TRACE });
    harness.setVault(daemon.vault);
    const browser = await launchBrowser();
    const world: World = {
        harness,
        daemon,
        browser,
        note(path, text) {
            const full = join(daemon.vault, path);
            mkdirSync(dirname(full), { recursive: true });
            writeFileSync(full, text);
        },
        disk(path) {
            try {
                return readFileSync(join(daemon.vault, path), "utf8");
            } catch {
                return null;
            }
        },
        async page(data = { daemonUrl: daemon.url, token: daemon.token }, boot = {}) {
            // One Obsidian at a time: the previous test's page (its plugin, its autosave) is closed.
            await current?.page.close();
            if (data) installPluginData(daemon.vault, data);
            const page = await openHarness(browser, harness.url, { autosaveMs: 400, ...boot });
            await page.page.bringToFront();
            current = extend(page);
            return current;
        },
        pluginData() {
            return JSON.parse(readFileSync(join(daemon.vault, ".obsidian", "plugins", "lodge", "data.json"), "utf8")) as Record<
                string,
                unknown
            >;
        },
        async close() {
            await browser.close();
            await daemon.stop();
            await harness.close();
        },
    };
    return world;
}

function extend(page: HarnessPage): TestPage {
    const answers: Promise<StreamEvent[]>[] = [];
    const test = page as TestPage;
    test.sent = [];
    page.page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.origin === new URL(page.page.url()).origin) return;
        const raw = request.postData();
        test.sent.push({ method: request.method(), path: url.pathname, body: raw ? (JSON.parse(raw) as unknown) : undefined });
    });
    page.page.on("response", (response: Response) => {
        if (!response.url().endsWith("/v1/chat/stream") || response.status() !== 200) return;
        answers.push(
            response.text().then(
                (text) => new EventDecoder().push(text),
                () => [],
            ),
        );
    });
    test.streams = () => Promise.all(answers);
    test.done = async (n = 0) => {
        await page.until(`stream ${n}`, () => Promise.resolve(answers.length > n), 15_000);
        const events = await answers[n]!;
        const done = events.find((e) => e.event === "done");
        if (!done || done.event !== "done") throw new Error(`stream ${n} ended without done: ${JSON.stringify(events.slice(-2))}`);
        return done.data;
    };
    test.text = async () => (await page.call("text")) ?? "";
    return test;
}

/** Page errors that matter: failed resource loads (a 404 favicon, /v1/config on a daemon without it) are network noise. */
export function realErrors(page: HarnessPage): string[] {
    return page.errors.filter((e) => !e.startsWith("Failed to load resource"));
}

/**
 * The setup every browser suite shares: its time limit, one retry (Chromium on a loaded 2-core machine
 * can miss a timing; a real fault fails twice), and a World made before its tests and closed after
 * them, handed to `use` for the suite's own variable.
 */
export function browserSuite(suite: Mocha.Suite, use: (world: World) => void, timeoutMs = 30_000): void {
    suite.timeout(timeoutMs);
    suite.retries(1);
    let world: World | undefined;
    suite.beforeAll(async () => {
        world = await createWorld();
        use(world);
    });
    suite.afterAll(async () => {
        await world?.close();
    });
}
