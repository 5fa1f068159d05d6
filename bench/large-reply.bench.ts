/**
 * Issue 9: a large reply's cost follows its size, not its square, and the daemon stays responsive while
 * it streams. The real daemon and the fake model server; the reply arrives in 100-character deltas as
 * fast as the fake sends them, and `/healthz` is asked every 20 ms throughout.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeLlm } from "../test/fakes/fake-llm";
import { startDaemon, type StartedDaemon } from "../test/helpers/daemon";

/**
 * Asks /healthz every 20 ms until its stdin closes, then prints the slowest answer in ms. The first
 * request is not timed (it loads the probe's own fetch, 20–40 ms in a new process); "ready" says it is done.
 */
const PROBE = `
let max = 0, done = false;
process.stdin.on("end", () => (done = true)).resume();
(async () => {
    await fetch(process.argv[1]);
    console.log("ready");
    while (!done) {
        const t = performance.now();
        await fetch(process.argv[1]);
        max = Math.max(max, performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
    }
    console.log(max.toFixed(1));
})();`;
import type { BenchRow } from "./report";

const KB = 1024;

function replyText(bytes: number): string {
    const line = "Some reply text, with `code`, *emphasis* and a [[link]] in a line of about eighty.\n";
    return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

/** One turn with a reply of `bytes`: its time and the slowest `/healthz` answer meanwhile. */
async function turn(d: StartedDaemon, fake: FakeLlm, bytes: number): Promise<{ ms: number; health: number }> {
    const text = replyText(bytes);
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 100) chunks.push(text.slice(i, i + 100));
    const name = `reply-${bytes}`;
    writeFileSync(join(d.vault, `${name}.md`), "Write a lot.\n");
    fake.enqueue({ chunks });
    // The probe is a process of its own: this one is busy being the fake model and the client.
    const probe = spawn(process.execPath, ["-e", PROBE, `${d.url}/healthz`], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    probe.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    await new Promise<void>((resolve) => probe.stdout.on("data", () => out.includes("ready\n") && resolve()));
    const t0 = performance.now();
    const res = await fetch(`${d.url}/v1/chat/stream`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${d.token}` },
        body: JSON.stringify({ filename: name }),
    });
    // Read to the end without rebuilding the reply (a client applying 20,000 deltas to a 2 MB string is slow itself).
    let tail = "";
    let done = false;
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
        const text = tail + decoder.decode(read.value, { stream: true });
        done ||= text.includes("event: done");
        tail = text.slice(-20);
    }
    const ms = performance.now() - t0;
    probe.stdin.end();
    await once(probe, "exit");
    if (!done) throw new Error(`the ${bytes}-byte reply did not end with done`);
    return { ms, health: Number(out.replace("ready\n", "").trim()) };
}

export async function run(): Promise<BenchRow[]> {
    const fake = await FakeLlm.start();
    const d = await startDaemon({ fake });
    try {
        // A first small turn loads the SDKs (~0.4 s of module compiling), which is not the reply path.
        await turn(d, fake, 1024);
        const curve: string[] = [];
        let mb = { ms: 0, health: 0 };
        let health = 0;
        for (const size of [128 * KB, 512 * KB, 1024 * KB, 2048 * KB]) {
            const t = await turn(d, fake, size);
            if (size === 1024 * KB) mb = t;
            health = Math.max(health, t.health);
            curve.push(`${size / KB} KB ${(t.ms / 1000).toFixed(2)} s (/healthz ≤ ${Math.round(t.health)} ms)`);
        }
        return [
            {
                name: "1 MB reply in 100-character deltas",
                value: Math.round(mb.ms),
                unit: "ms",
                budget: 3000,
                note: `curve: ${curve.join(", ")}`,
            },
            { name: "/healthz while those replies streamed, slowest", value: Math.round(health), unit: "ms", budget: 100 },
        ];
    } finally {
        await d.stop();
        await fake.close();
    }
}
