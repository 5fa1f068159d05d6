/**
 * CONTRIBUTING.md, the plugin's rows, measured in Chromium (Debian's, driven by playwright-core):
 *   - a 20 KB reply in 2,000 deltas over 10 s into a 1 MB note, through the plugin's own streaming
 *     code (ReplyTurn, EditorAttachment, the frame scheduler) on a CodeMirror 6 editor like the e2e
 *     harness's: editor time (the plugin's flushes and end of turn, CodeMirror's measure cycles), long
 *     tasks, the cursor; and the same stream through a client that diffs the whole note every 100 ms;
 *   - delta leaving the daemon → its text in the editor: the real daemon (agents on the fake LLM) and
 *     the bundled plugin in the e2e harness, timed from the fake backend writing each token to the
 *     token appearing in the editor (an upper bound: it includes the daemon's own hop).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Page } from "playwright-core";
import { startDaemon } from "../test/helpers/daemon";
import { makeNote } from "../test/e2e/harness/bench-data";
import { type Browser, installPluginData, launchBrowser, openHarness } from "../test/e2e/harness/browser";
import { type Harness, startHarness } from "../test/e2e/harness/server";
import type { BenchRow } from "./report";

const NOTE = 1_048_576;
const DELTAS = 2000;
const TOKEN = 10;
const STREAM_MS = 10_000;

interface Timing {
    clientMs: number;
    scrollMoved: number;
    dispatchMs: number;
    dispatches: number;
    measureMs: number;
    measures: number;
    longTasks: number[];
    cursorBefore: number;
    cursorAfter: number;
    correct: boolean;
    otherMs: number;
    finishMs: number;
}

const ms = (n: number): string => n.toFixed(0);

/** Runs one client in a fresh page; `cpuMs` is the renderer main thread's CPU time during the stream. */
async function inPage(browser: Browser, harness: Harness, kind: "plugin" | "snapshots"): Promise<Timing & { cpuMs: number }> {
    const page = await browser.context.newPage();
    try {
        await page.goto(`${harness.url}/bench`);
        await page.waitForFunction(() => "bench" in window);
        const cdp = await browser.context.newCDPSession(page);
        await cdp.send("Performance.enable");
        const threadTime = async (): Promise<number> => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "ThreadTime")?.value ?? NaN;
        type Bench = { prepare(...a: unknown[]): Promise<void>; go(): Promise<Timing> };
        await page.evaluate((a) => (window as unknown as { bench: Bench }).bench.prepare(...a), [kind, NOTE, DELTAS, TOKEN, STREAM_MS] as unknown[]);
        const before = await threadTime();
        const timing = await page.evaluate(() => (window as unknown as { bench: Bench }).bench.go());
        const cpuMs = ((await threadTime()) - before) * 1000;
        if (!timing.correct) throw new Error(`${kind}: the editor did not end with the note and the whole reply`);
        return { ...timing, cpuMs };
    } finally {
        await page.close();
    }
}

async function editorRows(browser: Browser, harness: Harness): Promise<BenchRow[]> {
    const plugin = await inPage(browser, harness, "plugin");
    const snapshots = await inPage(browser, harness, "snapshots");
    const editorTime = plugin.clientMs + plugin.measureMs;
    // What each client spends on the stream in all: the plugin's delta bookkeeping, the snapshot
    // client's JSON decoding of the whole note every 100 ms.
    const ours = editorTime + plugin.otherMs;
    const theirs = snapshots.clientMs + snapshots.measureMs + snapshots.otherMs;
    const longest = Math.max(0, ...plugin.longTasks);
    return [
        {
            name: "plugin editor time, 20 KB reply in 2,000 deltas over 10 s into a 1 MB note (flushes + end of turn + CodeMirror measure)",
            value: Math.round(editorTime),
            unit: "ms",
            budget: 300,
            note: `${plugin.dispatches} transactions (dispatch ${ms(plugin.dispatchMs)} ms, of which the end of turn ${ms(plugin.finishMs)} ms), ${plugin.measures} measure cycles (${ms(plugin.measureMs)} ms); wall-clock spans, which grow with the machine's load: the main thread's CPU time for the whole 10 s stream, everything included, was ${ms(plugin.cpuMs)} ms`,
        },
        { name: "plugin: long tasks over 50 ms while streaming", value: plugin.longTasks.length, unit: "tasks", budget: 0, note: plugin.longTasks.length ? `longest ${ms(longest)} ms` : "none" },
        { name: "plugin: the person's cursor moved by", value: Math.abs(plugin.cursorAfter - plugin.cursorBefore), unit: "chars", budget: 0, note: `cursor at ${plugin.cursorBefore} of a ${NOTE}-char note` },
        {
            name: "plugin ÷ a client diffing full-note snapshots every 100 ms, same stream (all they spend)",
            value: Number((ours / theirs).toFixed(3)),
            unit: "×",
            budget: 0.25,
            note: `plugin ${ms(ours)} ms (incl. ${ms(plugin.otherMs)} ms applying deltas); snapshot client ${ms(theirs)} ms: decode ${ms(snapshots.otherMs)}, diff + dispatch ${ms(snapshots.clientMs)}, measure ${ms(snapshots.measureMs)} (${snapshots.dispatches} transactions); main-thread CPU for the whole stream: plugin ${ms(plugin.cpuMs)} ms, snapshot client ${ms(snapshots.cpuMs)} ms (including building its 1 MB messages)`,
        },
    ];
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Latencies {
    /** From the fake backend writing the token to the token in the editor (includes the daemon). */
    fromBackend: number[];
    /** From the token arriving in the page (in the stream's body) to the token in the editor. */
    fromPage: number[];
}

/** One turn through the real daemon; latency of every token, sorted. */
async function latencies(browser: Browser, harness: Harness, noteText: string): Promise<Latencies> {
    const daemon = await startDaemon({ allowedOrigins: [harness.url] });
    const previousVault = harness.vault;
    let page: Page | null = null;
    try {
        harness.setVault(daemon.vault);
        const { writeFileSync, mkdirSync } = await import("node:fs");
        mkdirSync(join(daemon.vault, "Chats"), { recursive: true });
        writeFileSync(join(daemon.vault, "Chats", "latency.md"), noteText);
        installPluginData(daemon.vault, { daemonUrl: daemon.url, token: daemon.token });
        const harnessPage = await openHarness(browser, harness.url);
        page = harnessPage.page;
        await harnessPage.call("open", "Chats/latency.md");
        await harnessPage.call("watchTokens", "k\\d{5}");
        const sent = new Map<string, number>();
        daemon.fake.onChunk = (_req, _k, chunk) => {
            const token = /k\d{5}/.exec(chunk)?.[0];
            if (token) sent.set(token, performance.timeOrigin + performance.now());
        };
        const text = Array.from({ length: DELTAS }, (_, i) => `k${String(i).padStart(5, "0")}${i % 10 === 9 ? "...\n" : "abc "}`).join("");
        daemon.fake.enqueue({ text, chunkSize: TOKEN, chunkDelayMs: STREAM_MS / DELTAS });
        await page.keyboard.press("Control+s");
        await harnessPage.until("every token in the editor", async () => Object.keys(await harnessPage.call("tokenTimes")).length >= DELTAS, 60_000);
        const seen = await harnessPage.call("tokenTimes");
        const arrived = await harnessPage.call("tokenArrivals");
        return {
            fromBackend: [...sent].map(([token, at]) => seen[token]! - at).sort((a, b) => a - b),
            fromPage: Object.keys(seen).map((token) => seen[token]! - arrived[token]!).filter(Number.isFinite).sort((a, b) => a - b),
        };
    } finally {
        await page?.close();
        harness.setVault(previousVault);
        await daemon.stop();
    }
}

/**
 * CONTRIBUTING.md asks p99 ≤ 50 ms, but also ≤ 300 ms of editor time and ≤ ¼ of a snapshot client for the
 * same 10 s stream. A CodeMirror transaction costs 1.7–3 ms on this kind of machine, so those two
 * allow ~130 transactions (one per ~75 ms), while a 50 ms p99 needs ≥ 220 (≈ 450 ms of editor time).
 * Decision (docs/plugin.md): the main-thread budgets hold, since they protect the person's typing,
 * and the text may wait up to one ~75 ms flush interval plus a frame: p99 ≤ 150 ms.
 */
const LATENCY_BUDGET_MS = 150;

async function latencyRows(browser: Browser, harness: Harness): Promise<BenchRow[]> {
    const chat = `${"Earlier question?\n\n### Assistant:\n\nEarlier answer.\n\n### User:\n\n".repeat(20)}What next?\n`;
    const small = await latencies(browser, harness, chat);
    const big = await latencies(browser, harness, makeNote(NOTE));
    // fromPage can be empty: the page sees a stream's body only through the fetch it wrapped.
    const p = (xs: number[], q: number): string => (xs.length === 0 ? "n/a" : percentile(xs, q).toFixed(1));
    return [
        {
            name: `delta leaving the daemon → its text in the editor, p99 (${(chat.length / 1024).toFixed(1)} KB chat note, from the fake backend)`,
            value: Number(p(small.fromBackend, 99)),
            unit: "ms",
            budget: LATENCY_BUDGET_MS,
            note: `median ${p(small.fromBackend, 50)} ms over ${small.fromBackend.length} tokens; an upper bound: it includes the daemon's hop. Arrival in the page → editor: p99 ${p(small.fromPage, 99)}, median ${p(small.fromPage, 50)} ms`,
        },
        {
            name: "delta leaving the daemon → its text in the editor, p99 (1 MB note, from the fake backend)",
            value: Number(p(big.fromBackend, 99)),
            unit: "ms",
            budget: LATENCY_BUDGET_MS,
            note: `median ${p(big.fromBackend, 50)} ms; arrival in the page → editor p99 ${p(big.fromPage, 99)}, median ${p(big.fromPage, 50)} ms (flushes 70–120 ms apart, paced by their cost)`,
        },
    ];
}

export async function run(): Promise<BenchRow[]> {
    const scratch = mkdtempSync(join(tmpdir(), "lodge-bench-"));
    const harness = await startHarness({ vault: scratch, isolated: true });
    const browser = await launchBrowser();
    // LODGE_BENCH_PLUGIN=editor|latency runs one half (when working on it).
    const only = process.env.LODGE_BENCH_PLUGIN;
    try {
        return [
            ...(only !== "latency" ? await editorRows(browser, harness) : []),
            ...(only !== "editor" ? await latencyRows(browser, harness) : []),
        ];
    } finally {
        await browser.close();
        await harness.close();
        rmSync(scratch, { recursive: true, force: true });
    }
}
