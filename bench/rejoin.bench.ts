/**
 * CONTRIBUTING.md, rejoining a running turn (§15): from the `GET /v1/chat/stream?filename=` request to its
 * first event, while a turn streams into a 1 MB note, the follower leaving after that event.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeLlm } from "../test/fakes/fake-llm";
import { follow, stream } from "../test/helpers/client";
import { startDaemon } from "../test/helpers/daemon";
import type { BenchRow } from "./report";

const JOINS = 41;

export async function run(): Promise<BenchRow[]> {
    const fake = await FakeLlm.start();
    const d = await startDaemon({ fake });
    try {
        writeFileSync(join(d.vault, "long.md"), `${"A line of a long note.\n".repeat(48_000)}\nWhat next?\n`);
        // A turn long enough for every join: 600 chunks 20 ms apart.
        fake.enqueue({ chunks: Array.from({ length: 600 }, (_, i) => `word${i} `), chunkDelayMs: 20 });
        let started!: () => void;
        const running = new Promise<void>((resolve) => (started = resolve));
        const turn = stream(d, { filename: "long" }, (event) => void (event.event === "delta" && started()));
        await running;
        const times: number[] = [];
        for (let i = 0; i < JOINS; i++) {
            const t0 = performance.now();
            let first = 0;
            const r = await follow(d, "/v1/chat/stream?filename=long", () => {
                first = performance.now();
                return "stop";
            });
            if (r.status !== 200 || first === 0) throw new Error(`join ${i} got ${r.status}`);
            times.push(first - t0);
        }
        await turn;
        const sorted = [...times].sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)]!;
        return [
            {
                name: "rejoin a running turn: request → first event (1 MB note)",
                value: median,
                unit: "ms",
                budget: 20,
                note: `median of ${JOINS}; p90 ${sorted[Math.floor(sorted.length * 0.9)]!.toFixed(1)} ms`,
            },
        ];
    } finally {
        await d.stop();
        await fake.close();
    }
}
