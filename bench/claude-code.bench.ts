/**
 * ISSUE 5's rows for `backend: claude-code`, with the real CLI against the FakeLlm:
 *  - the daemon's own overhead on a turn: the client's wall time for `POST /v1/chat` minus the CLI
 *    process's lifetime. `claude_path` points at a shell wrapper that stamps the time just before
 *    it starts the CLI and just after the CLI exits, so transcript restore, spawn, reading the
 *    stream, saving the transcript and writing the note all count as the daemon's;
 *  - four conversations on one agent at once, all finished with the right answer.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeLlm } from "../test/fakes/fake-llm";
import { call } from "../test/helpers/client";
import { ROOT, scratch, startDaemon, type StartedDaemon } from "../test/helpers/daemon";
import type { BenchRow } from "./report";

const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");
const NOTES = 3;
const TURNS_PER_NOTE = 5;

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
}

/** A `claude` that logs `start <ns>` and `end <ns>` around the real one. */
function wrapper(dir: string, log: string): string {
    const path = join(dir, "claude-timed");
    writeFileSync(
        path,
        `#!/bin/sh\necho "start $(date +%s%N)" >> '${log}'\n'${CLAUDE}' "$@"\nrc=$?\necho "end $(date +%s%N)" >> '${log}'\nexit $rc\n`,
    );
    chmodSync(path, 0o755);
    return path;
}

function cliLifetimesMs(log: string): number[] {
    const lines = readFileSync(log, "utf8").trim().split("\n");
    const out: number[] = [];
    for (let i = 0; i + 1 < lines.length; i += 2) out.push((Number(lines[i + 1]!.split(" ")[1]) - Number(lines[i]!.split(" ")[1])) / 1e6);
    return out;
}

export async function run(): Promise<BenchRow[]> {
    const fake = await FakeLlm.start();
    const home = scratch("lodge-cc-bench-");
    const log = join(home, "cli-times.log");
    const tmp = join(home, "tmp");
    mkdirSync(tmp);
    const env = {
        HOME: home,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: "sk-fake-bench-key",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        CLAUDE_CODE_MAX_RETRIES: "0",
        DISABLE_TELEMETRY: "1",
        DISABLE_AUTOUPDATER: "1",
        CLAUDE_CODE_TMPDIR: tmp,
        TMPDIR: tmp,
    };
    let d: StartedDaemon | null = null;
    try {
        d = await startDaemon({
            fake,
            config: {
                default_agent: "cc",
                agents: { cc: { backend: "claude-code", claude_path: wrapper(home, log), memory: false, env } },
            },
        });
        const daemon = d;
        const chats = join(daemon.vault, "Chats");
        mkdirSync(chats, { recursive: true });
        const turn = async (name: string, text: string): Promise<{ ms: number; reply: string }> => {
            const file = join(chats, `${name}.md`);
            let note = "";
            try {
                note = readFileSync(file, "utf8");
            } catch {
                // a new note
            }
            writeFileSync(file, `${note}${text}\n`);
            const t0 = performance.now();
            const r = await call(daemon, "/v1/chat", { body: { filename: `Chats/${name}` } });
            const ms = performance.now() - t0;
            if (r.status !== 200 || r.body.status !== "ok") throw new Error(`turn on ${name} failed: ${JSON.stringify(r.body)}`);
            return { ms, reply: String(r.body.new_content) };
        };

        const turnMs: number[] = [];
        for (let t = 0; t < TURNS_PER_NOTE; t++)
            for (let n = 0; n < NOTES; n++) turnMs.push((await turn(`seq-${n}`, `turn ${t} of note ${n}`)).ms);
        const lifetimes = cliLifetimesMs(log);
        if (lifetimes.length !== turnMs.length) throw new Error(`${turnMs.length} turns but ${lifetimes.length} CLI runs`);
        const overhead = turnMs.map((ms, i) => ms - lifetimes[i]!);

        const t0 = performance.now();
        const together = await Promise.allSettled([0, 1, 2, 3].map((i) => turn(`together-${i}`, `concurrent question ${i}`)));
        const wall = performance.now() - t0;
        const finished = together.filter(
            (r, i) => r.status === "fulfilled" && r.value.reply.includes(`you said: concurrent question ${i}`),
        ).length;

        return [
            {
                name: "Claude Code turn: daemon overhead (turn minus the CLI process's lifetime), median",
                value: median(overhead),
                unit: "ms",
                budget: 50,
                note: `${overhead.length} turns on ${NOTES} notes; max ${Math.max(...overhead).toFixed(1)} ms; CLI lifetime median ${median(lifetimes).toFixed(0)} ms`,
            },
            {
                name: "Claude Code: 4 concurrent conversations on one agent, finished with their own answer",
                value: finished,
                unit: "conversations",
                budget: 4,
                atLeast: true,
                note: `${(wall / 1000).toFixed(2)} s wall`,
            },
        ];
    } finally {
        await d?.stop();
        await fake.close();
    }
}
