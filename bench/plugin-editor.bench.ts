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
        const threadTime = async (): Promise<number> =>
            (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "ThreadTime")?.value ?? NaN;
        type Bench = { prepare(...a: unknown[]): Promise<void>; go(): Promise<Timing> };
        await page.evaluate((a) => (window as unknown as { bench: Bench }).bench.prepare(...a), [
            kind,
            NOTE,
            DELTAS,
            TOKEN,
            STREAM_MS,
        ] as unknown[]);
        const profile = process.env.LODGE_BENCH_PROFILE === kind;
        if (profile) {
            await cdp.send("Profiler.enable");
            await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
            await cdp.send("Profiler.start");
        }
        const before = await threadTime();
        const timing = await page.evaluate(() => (window as unknown as { bench: Bench }).bench.go());
        const cpuMs = ((await threadTime()) - before) * 1000;
        if (profile) printProfile((await cdp.send("Profiler.stop")).profile);
        if (!timing.correct) throw new Error(`${kind}: the editor did not end with the note and the whole reply`);
        return { ...timing, cpuMs };
    } finally {
        await page.close();
    }
}

/** LODGE_BENCH_PROFILE=plugin|snapshots: the run's CPU profile, self time by function, to stderr. */
function printProfile(profile: {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples?: number[];
    timeDeltas?: number[];
}): void {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    (profile.samples ?? []).forEach((id, i) => {
        const f = byId.get(id)!.callFrame;
        const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
    });
    for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40))
        process.stderr.write(`${t.toFixed(1).padStart(8)} ms  ${key}\n`);
}

/**
 * Runs alternate in pairs (plugin then snapshots, snapshots then plugin, …), so the machine's load of the
 * moment weighs on both sides of each ratio alike; the rows report medians with their spread.
 */
const PAIRS = Number(process.env.LODGE_BENCH_PAIRS ?? 5);

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const spread = (xs: number[], digits = 0): string => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

async function editorRows(browser: Browser, harness: Harness): Promise<BenchRow[]> {
    const plugins: (Timing & { cpuMs: number })[] = [];
    const snapshotRuns: (Timing & { cpuMs: number })[] = [];
    for (let i = 0; i < PAIRS; i++) {
        if (i % 2 === 0) {
            plugins.push(await inPage(browser, harness, "plugin"));
            snapshotRuns.push(await inPage(browser, harness, "snapshots"));
        } else {
            snapshotRuns.push(await inPage(browser, harness, "snapshots"));
            plugins.push(await inPage(browser, harness, "plugin"));
        }
    }
    const editorTimes = plugins.map((p) => p.clientMs + p.measureMs);
    // What each client spends on the stream in all: the plugin's delta bookkeeping, the snapshot
    // client's JSON decoding of the whole note every 100 ms.
    const ours = plugins.map((p, i) => editorTimes[i]! + p.otherMs);
    const theirs = snapshotRuns.map((s) => s.clientMs + s.measureMs + s.otherMs);
    const ratios = ours.map((o, i) => o / theirs[i]!);
    // The run whose editor time is the median, for the breakdown in the note.
    const plugin = plugins[editorTimes.indexOf([...editorTimes].sort((a, b) => a - b)[(editorTimes.length - 1) >> 1]!)]!;
    const longTasks = plugins.flatMap((p) => p.longTasks);
    const cursorMoved = Math.max(...plugins.map((p) => Math.abs(p.cursorAfter - p.cursorBefore)));
    return [
        {
            name: "plugin editor time, 20 KB reply in 2,000 deltas over 10 s into a 1 MB note (flushes + end of turn + CodeMirror measure)",
            value: Math.round(median(editorTimes)),
            unit: "ms",
            budget: 300,
            note: `median of ${PAIRS} runs, spread ${spread(editorTimes)} ms; the median run: ${plugin.dispatches} transactions (dispatch ${ms(plugin.dispatchMs)} ms, of which the end of turn ${ms(plugin.finishMs)} ms), ${plugin.measures} measure cycles (${ms(plugin.measureMs)} ms), main-thread CPU for the whole 10 s stream ${ms(plugin.cpuMs)} ms`,
        },
        {
            name: "plugin: long tasks over 50 ms while streaming",
            value: longTasks.length,
            unit: "tasks",
            budget: 0,
            note: longTasks.length ? `longest ${ms(Math.max(...longTasks))} ms` : `none in ${PAIRS} runs`,
        },
        {
            name: "plugin: the person's cursor moved by",
            value: cursorMoved,
            unit: "chars",
            budget: 0,
            note: `cursor at ${plugin.cursorBefore} of a ${NOTE}-char note, ${PAIRS} runs`,
        },
        {
            name: "plugin ÷ a client diffing full-note snapshots every 100 ms, same stream (all they spend)",
            value: Number(median(ratios).toFixed(3)),
            unit: "×",
            budget: 0.25,
            note: `median of ${PAIRS} paired, alternating runs, spread ${spread(ratios, 2)} ×; plugin ${ms(median(ours))} ms (spread ${spread(ours)}), snapshot client ${ms(median(theirs))} ms (spread ${spread(theirs)})`,
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
        await harnessPage.until(
            "every token in the editor",
            async () => Object.keys(await harnessPage.call("tokenTimes")).length >= DELTAS,
            60_000,
        );
        const seen = await harnessPage.call("tokenTimes");
        const arrived = await harnessPage.call("tokenArrivals");
        return {
            fromBackend: [...sent].map(([token, at]) => seen[token]! - at).sort((a, b) => a - b),
            fromPage: Object.keys(seen)
                .map((token) => seen[token]! - arrived[token]!)
                .filter(Number.isFinite)
                .sort((a, b) => a - b),
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
            note: `median ${p(big.fromBackend, 50)} ms; arrival in the page → editor p99 ${p(big.fromPage, 99)}, median ${p(big.fromPage, 50)} ms (flushes 90–130 ms apart, paced by their cost)`,
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
