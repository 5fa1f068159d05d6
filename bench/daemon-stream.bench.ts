/**
 * CONTRIBUTING.md, the daemon's rows: SSE bytes of a long reply into a 1 MB note, backend-token-to-client
 * delay, request-to-backend latency with 1,000 stored messages, and 50 concurrent streams with the
 * daemon's memory. The real daemon runs as a child process; the fake backend and the client run here,
 * so both ends of a delay are read from one clock.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { encodeEvent } from "../shared/protocol/events";
import { assistantText, userText, type CanonicalMessage } from "../daemon/messages";
import { ConversationStore } from "../daemon/store/conversations";
import { Db } from "../daemon/store/db";
import { FakeLlm } from "../test/fakes/fake-llm";
import { scratch, startDaemon, wideConfig, type StartedDaemon } from "../test/helpers/daemon";
import { stream } from "../test/helpers/client";
import type { BenchRow } from "./report";

const MB = 1024 * 1024;

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
}

function percentile(values: number[], p: number): number {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

function filler(bytes: number): string {
    const line = "A line of an ordinary long note, with [[links]] and *emphasis* and a list item or two.\n";
    return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

/** Peak resident memory of a process, from /proc. */
function peakRssMb(pid: number): number {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function sseRows(d: StartedDaemon, fake: FakeLlm): Promise<BenchRow[]> {
    writeFileSync(join(d.vault, "big.md"), `${filler(MB)}\nWhat next?\n`);
    const chunks = Array.from({ length: 2000 }, (_, i) => `w${String(i).padStart(5, "0")}xyz `);
    const replyBytes = Buffer.byteLength(chunks.join("").trim());
    const sentAt: number[] = [];
    fake.onChunk = (_req, index) => (sentAt[index] = performance.now());
    fake.enqueue({ chunks, chunkDelayMs: 5 });
    // Chunk k has reached the client once the reply holds the text through chunk k (its trailing
    // blank may wait for the next chunk: a reply's end is trimmed), whichever delta carried it.
    const through: number[] = [];
    chunks.reduce((length, chunk, k) => ((through[k] = length + chunk.trimEnd().length), length + chunk.length), 0);
    const receivedAt: number[] = [];
    let frameBytes = 0;
    let frames = 0;
    const r = await stream(d, { filename: "big" }, (event, reply) => {
        if (event.event !== "start" && event.event !== "delta") return;
        frames++;
        frameBytes += Buffer.byteLength(encodeEvent(event));
        // The reply's text starts with the first chunk (after the heading, and any callout before it).
        const start = reply.indexOf(chunks[0]!.trimEnd());
        const body = start < 0 ? 0 : reply.length - start;
        while (receivedAt.length < chunks.length && body >= through[receivedAt.length]!) receivedAt.push(performance.now());
    });
    fake.onChunk = undefined;
    if (r.terminal?.event !== "done") throw new Error(`the 1 MB stream did not end with done: ${JSON.stringify(r.terminal)}`);
    const delays = receivedAt.slice(0, chunks.length).map((t, i) => t - sentAt[i]!);
    const budget = 2 * replyBytes + 120 * frames;
    // A protocol that resends the whole note every 100 ms over the same 10 s stream.
    const snapshotBytes = Math.ceil((chunks.length * 5) / 100) * (MB + replyBytes);
    return [
        {
            name: "SSE bytes of start + delta frames, 1 MB note, 20 KB reply in 2,000 deltas",
            value: frameBytes,
            unit: "bytes",
            budget,
            note: `${frames} frames for a ${replyBytes}-byte reply; full snapshots every 100 ms would send ~${(snapshotBytes / MB).toFixed(0)} MB (~1 MB per frame)`,
        },
        {
            name: "delay from a backend token to the client receiving it, p99",
            value: percentile(delays, 99),
            unit: "ms",
            budget: 50,
            note: `median ${median(delays).toFixed(2)} ms over ${delays.length} tokens`,
        },
    ];
}

/** A 1 MB note of 500 exchanges whose history (1,000 messages) is already in the database. */
async function seedLongConversation(vault: string, data: string): Promise<string> {
    const id = randomUUID();
    const messages: CanonicalMessage[] = [];
    let note = `---\nagent: assistant\nconversation_id: ${id}\n---\n`;
    for (let i = 0; i < 500; i++) {
        const question = `Question ${i}: ${filler(1000).replace(/\n/g, " ").trim()}`;
        const answer = `Answer ${i}: ${filler(1000).replace(/\n/g, " ").trim()}`;
        messages.push(userText(question), assistantText(answer));
        note += `${i === 0 ? "" : "\n\n### User:\n\n"}${question}\n\n### Assistant:\n\n${answer}`;
    }
    mkdirSync(vault, { recursive: true });
    writeFileSync(join(vault, "long.md"), note);
    const db = await Db.open(join(data, "lodge.db"));
    await new ConversationStore(db).create({ id, agent: "assistant", notePath: "long.md", title: "long", parentId: null }, messages);
    await db.close();
    return note;
}

async function latencyRow(fake: FakeLlm): Promise<BenchRow> {
    const root = scratch("lodge-bench-");
    const vault = join(root, "vault");
    const data = join(root, "data");
    mkdirSync(data, { recursive: true });
    let note = await seedLongConversation(vault, data);
    const d = await startDaemon({ fake, vault, data, config: wideConfig(fake) });
    const times: number[] = [];
    try {
        for (let i = 0; i < 21; i++) {
            const content = `${note}\n\n### User:\n\nOne more question, number ${i}?`;
            fake.enqueue({ text: `Short answer ${i}.` });
            const before = fake.requests.length;
            const t0 = performance.now();
            const r = await stream(d, { filename: "long", content });
            if (r.terminal?.event !== "done") throw new Error(`turn ${i} failed: ${JSON.stringify(r.terminal)}`);
            const request = fake.requests[before]!;
            if (request.body.messages.length !== 1001 + 2 * i) throw new Error(`turn ${i} sent ${request.body.messages.length} messages`);
            times.push(request.receivedAt - t0);
            note = (r.terminal.data as { new_content: string }).new_content.trimEnd();
        }
    } finally {
        await d.stop();
    }
    return {
        name: "POST /v1/chat/stream to backend request start, 1 MB note, 1,000 stored messages (median)",
        value: median(times.slice(1)),
        unit: "ms",
        budget: 50,
        note: `p90 ${percentile(times.slice(1), 90).toFixed(1)} ms over 20 turns`,
    };
}

async function concurrencyRows(d: StartedDaemon, fake: FakeLlm): Promise<BenchRow[]> {
    const notes = Array.from({ length: 50 }, (_, i) => `many/note-${i}`);
    mkdirSync(join(d.vault, "many"), { recursive: true });
    for (const name of notes) writeFileSync(join(d.vault, `${name}.md`), `${filler(20_000)}\nQuestion for ${name}?\n`);
    fake.setDefault({ text: "A reply of moderate length that arrives in many small pieces. ".repeat(30), chunkSize: 10, chunkDelayMs: 10 });
    const results = await Promise.all(notes.map((filename) => stream(d, { filename })));
    const ok = results.filter((r) => r.terminal?.event === "done" && (r.terminal.data as { status: string }).status === "ok").length;
    return [
        { name: "50 concurrent streams on 50 notes: completed without error", value: ok, unit: "streams", budget: 50, atLeast: true },
        { name: "daemon peak RSS (VmHWM) through every run above", value: peakRssMb(d.child.pid!), unit: "MB", budget: 200 },
    ];
}

export async function run(): Promise<BenchRow[]> {
    const fake = await FakeLlm.start();
    const d = await startDaemon({ fake, config: wideConfig(fake) });
    try {
        const rows = await sseRows(d, fake);
        rows.push(await latencyRow(fake));
        rows.push(...(await concurrencyRows(d, fake)));
        return rows;
    } finally {
        await d.stop();
        await fake.close();
    }
}
