/**
 * docs/daemon.md progress on disk: writing the partial reply every `chats.progress_ms` (1,000, the default)
 * adds at most 5 % to a turn the daemon writes into a 1 MB note, against the same turns with
 * `progress_ms: 0` (only the final write). A turn is the `POST /v1/chat/stream` request to its `done`;
 * the reply comes in 150 chunks 20 ms apart (about 3 s, so three progress writes of the 1 MB note).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeLlm } from "../test/fakes/fake-llm";
import { stream } from "../test/helpers/client";
import { defaultConfig, startDaemon, type StartedDaemon } from "../test/helpers/daemon";
import type { BenchRow } from "./report";

const TURNS = 5;
const NOTE = `${"A line of a long note.\n".repeat(48_000)}\nWhat next?\n`;

async function turnTime(d: StartedDaemon, fake: FakeLlm, i: number): Promise<number> {
    writeFileSync(join(d.vault, "long.md"), NOTE);
    fake.enqueue({ chunks: Array.from({ length: 150 }, (_, j) => `w${i}-${j} `), chunkDelayMs: 20 });
    const t0 = performance.now();
    const result = await stream(d, { filename: "long", writer: "daemon" }, () => undefined);
    if (result.terminal?.event !== "done") throw new Error(`turn ${i} ended with ${result.terminal?.event}`);
    return performance.now() - t0;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<BenchRow[]> {
    const fake = await FakeLlm.start();
    const daemons = await Promise.all(
        [1000, 0].map((progress_ms) => startDaemon({ fake, config: { ...defaultConfig(fake), chats: { watch: false, progress_ms } } })),
    );
    try {
        const times: [number[], number[]] = [[], []];
        for (let i = 0; i < TURNS; i++) {
            for (const k of [0, 1] as const) times[k].push(await turnTime(daemons[k]!, fake, i));
        }
        const [withProgress, without] = times.map(median) as [number, number];
        const overhead = ((withProgress - without) / without) * 100;
        return [
            {
                name: "progress writes (progress_ms 1000) on a 1 MB note's turn, added time",
                value: Math.max(0, overhead),
                unit: "%",
                budget: 5,
                note: `median of ${TURNS}: ${withProgress.toFixed(0)} ms with, ${without.toFixed(0)} ms without`,
            },
        ];
    } finally {
        await Promise.all(daemons.map((d) => d.stop()));
        await fake.close();
    }
}
