/**
 * CONTRIBUTING.md, "daemon start, vault of 50,000 notes": ready ≤ 3 s, RSS ≤ 200 MB, watching only what chat
 * notes need. The vault holds 2,000 notes in Chats/ and 48,000 in 500 other folders, 500 of which have
 * conversations in the database (chat notes outside the chat folder, which the watcher watches one by
 * one). Ready = spawn until the start-up lines are printed (the daemon prints them once the watcher is
 * ready) and /healthz answers. The same start with `chats.watch: false` is printed beside it.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConversationStore } from "../daemon/store/conversations";
import { Db } from "../daemon/store/db";
import { FakeLlm } from "../test/fakes/fake-llm";
import { eventually } from "../test/helpers/client";
import { defaultConfig, scratch, startDaemon, type StartedDaemon } from "../test/helpers/daemon";
import type { BenchRow } from "./report";

const CHAT_NOTES = 2000;
const OTHER_FOLDERS = 500;
const OTHER_NOTES = 48_000;
const KNOWN_ELSEWHERE = 500;
const RUNS = 3;

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
}

function peakRssMb(pid: number): number {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

/** inotify watches the process holds (one per watched file and folder with chokidar 5). */
function inotifyWatches(pid: number): number {
    let watches = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        let target = "";
        try {
            target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
            continue;
        }
        if (target === "anon_inode:inotify")
            watches += readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8")
                .split("\n")
                .filter((l) => l.startsWith("inotify wd:")).length;
    }
    return watches;
}

const body = (i: number): string =>
    `# Note ${i}\n\nSome ordinary text with a [[link ${i % 97}]], a list:\n\n- one\n- two\n\nand a paragraph long enough to look like a real note in a real vault.\n`;

async function buildVault(vault: string, data: string): Promise<void> {
    mkdirSync(join(vault, "Chats"), { recursive: true });
    for (let i = 0; i < CHAT_NOTES; i++)
        writeFileSync(join(vault, "Chats", `Chat ${i}.md`), `Question ${i}?\n\n### Assistant:\n\nAnswer ${i}.\n\n### User:\n\n`);
    const perFolder = OTHER_NOTES / OTHER_FOLDERS;
    const known: string[] = [];
    for (let f = 0; f < OTHER_FOLDERS; f++) {
        const folder = `Area ${Math.floor(f / 50)}/Topic ${f}`;
        mkdirSync(join(vault, folder), { recursive: true });
        for (let n = 0; n < perFolder; n++) {
            const rel = `${folder}/Note ${n}.md`;
            const isChat = n === 0; // one chat note per folder: 500 elsewhere
            writeFileSync(
                join(vault, rel),
                isChat ? `---\nagent: assistant\n---\n${body(n)}\n### Assistant:\n\nok\n\n### User:\n\n` : body(f * perFolder + n),
            );
            if (isChat) known.push(rel);
        }
    }
    mkdirSync(data, { recursive: true });
    const db = await Db.open(join(data, "lodge.db"));
    const store = new ConversationStore(db);
    for (const rel of known.slice(0, KNOWN_ELSEWHERE))
        await store.create({ id: randomUUID(), agent: "assistant", notePath: rel, title: rel, parentId: null });
    await db.close();
}

async function timedStart(fake: FakeLlm, vault: string, data: string, watch: boolean): Promise<{ d: StartedDaemon; ms: number }> {
    const config = { ...defaultConfig(fake), chats: { watch, watch_idle_ms: 200 } };
    const t0 = performance.now();
    const d = await startDaemon({ fake, config, vault, data });
    const health = await fetch(`${d.url}/healthz`);
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status}`);
    return { d, ms: performance.now() - t0 };
}

export async function run(): Promise<BenchRow[]> {
    const root = scratch("lodge-bench-start-");
    const vault = join(root, "vault");
    const data = join(root, "data");
    await buildVault(vault, data);
    const fake = await FakeLlm.start();
    try {
        const off: number[] = [];
        let offRss = 0;
        for (let i = 0; i < RUNS; i++) {
            const { d, ms } = await timedStart(fake, vault, data, false);
            off.push(ms);
            offRss = Math.max(offRss, peakRssMb(d.child.pid!));
            await d.stop();
        }
        const on: number[] = [];
        const rss: number[] = [];
        let watches = 0;
        let line = "";
        let answeredMs = 0;
        for (let i = 0; i < RUNS; i++) {
            const { d, ms } = await timedStart(fake, vault, data, true);
            try {
                on.push(ms);
                rss.push(peakRssMb(d.child.pid!));
                watches = inotifyWatches(d.child.pid!);
                line = /watching chat notes[^\n]*/.exec(d.stdout())?.[0] ?? "";
                if (i === 0) {
                    // The watcher works in this vault: a question written into a chat note is answered.
                    const note = join(vault, "Chats", "Chat 7.md");
                    const before = readFileSync(note, "utf8");
                    const t0 = performance.now();
                    writeFileSync(note, `${before}Another question?\n`);
                    await eventually(
                        () =>
                            readFileSync(note, "utf8").endsWith("### User:\n\n") && readFileSync(note, "utf8").length > before.length + 30,
                        10_000,
                        "the watcher's reply",
                    );
                    answeredMs = performance.now() - t0;
                    writeFileSync(note, before);
                }
                rss[i] = peakRssMb(d.child.pid!);
            } finally {
                await d.stop();
            }
        }
        return [
            {
                name: `daemon start with chats.watch, vault of ${CHAT_NOTES + OTHER_NOTES} notes (${CHAT_NOTES} in Chats/), spawn to ready (median of ${RUNS})`,
                value: median(on),
                unit: "ms",
                budget: 3000,
                note: `watch off: ${median(off).toFixed(0)} ms; runs ${on.map((t) => t.toFixed(0)).join("/")} ms; "${line}"`,
            },
            {
                name: "daemon peak RSS (VmHWM) after a watched start and one watched turn",
                value: Math.max(...rss),
                unit: "MB",
                budget: 200,
                note: `watch off: ${offRss.toFixed(0)} MB; ${watches} inotify watches; a question written into a chat note was answered in ${answeredMs.toFixed(0)} ms (200 ms idle)`,
            },
        ];
    } finally {
        await fake.close();
    }
}
