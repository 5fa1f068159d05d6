/**
 * Chromium (Debian's, driven by playwright-core) with the harness page: one browser per test file,
 * a fresh page per test. Page errors are collected so a test can assert there were none.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { BootOptions, Harness as PageHarness } from "../shim/page";
import { ROOT } from "./server";

export const ARTIFACTS = join(ROOT, "test-artifacts");

export interface Browser {
    context: BrowserContext;
    close(): Promise<void>;
}

/** A Chromium or Chrome on this machine: `$CHROMIUM_PATH`, else the first of the usual names on PATH. */
export function chromiumPath(): string {
    const named = process.env.CHROMIUM_PATH;
    if (named) return named;
    for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
        for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
            if (existsSync(join(dir, name))) return join(dir, name);
        }
    }
    throw new Error("no Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH");
}

export async function launchBrowser(): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), "pw-"));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath(),
        headless: true,
        viewport: { width: 1000, height: 760 },
        args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    });
    return {
        context,
        async close() {
            await context.close();
            rmSync(profile, { recursive: true, force: true });
        },
    };
}

type Method = keyof PageHarness;
type Args<M extends Method> = Parameters<PageHarness[M]>;
type Result<M extends Method> = Awaited<ReturnType<PageHarness[M]>>;

/** A harness page: `call` runs a `window.harness` method in the page. */
export class HarnessPage {
    readonly errors: string[] = [];

    constructor(readonly page: Page) {
        page.on("pageerror", (err) => this.errors.push(err.message));
        page.on("console", (msg) => {
            if (msg.type() === "error") this.errors.push(msg.text());
        });
    }

    call<M extends Method>(method: M, ...args: Args<M>): Promise<Result<M>> {
        return this.page.evaluate(
            ([m, a]) => (window as unknown as { harness: Record<string, (...x: unknown[]) => unknown> }).harness[m]!(...a),
            [method, args] as [string, unknown[]],
        ) as Promise<Result<M>>;
    }

    /** Waits until `fn` (run in node, polling the page through `call`) returns true. */
    async until(what: string, fn: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            if (await fn()) return;
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
    }

    async screenshot(name: string): Promise<string> {
        mkdirSync(ARTIFACTS, { recursive: true });
        const path = join(ARTIFACTS, `${name}.png`);
        await this.page.screenshot({ path });
        return path;
    }
}

/** Opens the harness in a new page and boots the shim app with the plugin loaded. */
export async function openHarness(browser: Browser, url: string, boot: BootOptions = {}): Promise<HarnessPage> {
    const page = await browser.context.newPage();
    const harness = new HarnessPage(page);
    await page.goto(url);
    await harness.call("boot", boot);
    return harness;
}

/** What `lodge install-plugin` writes: the daemon URL and a token in the plugin's data.json. */
export function installPluginData(vault: string, data: Record<string, unknown>): string {
    const dir = join(vault, ".obsidian", "plugins", "lodge");
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "data.json");
    writeFileSync(path, JSON.stringify(data, null, 2));
    return path;
}
