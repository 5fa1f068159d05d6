/**
 * CONTRIBUTING.md, agent memory: a `git push` creating 1,000 blocks is synced within 2 s; a push changing 1 of
 * 1,000 blocks costs at most 150 ms; cloning 1,000 blocks takes at most 1 s. Measured with the real
 * git client against the built daemon, push wall time included: `git push` returns only once the
 * blocks table holds the pushed commit, so the push's own time bounds its sync.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeLlm } from "../test/fakes/fake-llm";
import { startDaemon } from "../test/helpers/daemon";
import { stream } from "../test/helpers/client";
import { cloneMemory, createToken, gitOk, memoryConfig, writeFiles } from "../test/helpers/git-memory";
import type { BenchRow } from "./report";

const BLOCKS = 1000;

function block(i: number, text: string): string {
    return `---\ndescription: Block number ${i}, for the bench\nlimit: 4000\nmetadata:\n  topic: t${i % 17}\n---\n${text}\n`;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
    const start = performance.now();
    await fn();
    return performance.now() - start;
}

export async function run(): Promise<BenchRow[]> {
    const fake = await FakeLlm.start();
    const d = await startDaemon({ fake, config: memoryConfig(fake) });
    try {
        const token = createToken(d, "bench");
        const dir = await cloneMemory(d, token);
        const files: Record<string, string> = {};
        for (let i = 0; i < BLOCKS; i++)
            files[`topics/t${i % 20}/block-${i}.md`] = block(i, `Fact ${i}: ${"the tide turns at dawn. ".repeat(8)}`);
        writeFiles(dir, files);
        await gitOk(dir, ["add", "-A"]);
        await gitOk(dir, ["commit", "--quiet", "-m", "a thousand blocks"]);
        const bulk = await timed(() => gitOk(dir, ["push", "--quiet", "origin", "main"]));

        const single: number[] = [];
        for (let round = 0; round < 7; round++) {
            writeFileSync(join(dir, "topics/t7/block-7.md"), block(7, `Fact 7, revision ${round}.`));
            await gitOk(dir, ["commit", "--quiet", "-am", `revision ${round}`]);
            single.push(await timed(() => gitOk(dir, ["push", "--quiet", "origin", "main"])));
        }

        // The pushes must really be synced: the next turn's prompt carries the last revision.
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        writeFileSync(join(d.vault, "Chats", "bench.md"), "Who are you?\n");
        fake.enqueue({ text: "ok" });
        await stream(d, { filename: "Chats/bench" });
        const system = fake.requests.at(-1)!.body.system as string;
        if (!system.includes("Fact 7, revision 6.") || !system.includes("<topics/t19/block-999>"))
            throw new Error("the pushed blocks are not in the prompt");

        const clones: number[] = [];
        for (let i = 0; i < 3; i++) clones.push(await timed(() => cloneMemory(d, token)));

        return [
            { name: `git push creating ${BLOCKS} blocks, until synced`, value: Math.round(bulk), unit: "ms", budget: 2000 },
            {
                name: `git push changing 1 of ${BLOCKS} blocks, until synced (median of 7)`,
                value: Math.round(median(single)),
                unit: "ms",
                budget: 150,
                note: `max ${Math.round(Math.max(...single))} ms`,
            },
            { name: `git clone of ${BLOCKS} blocks (median of 3)`, value: Math.round(median(clones)), unit: "ms", budget: 1000 },
        ];
    } finally {
        await d.stop();
        await fake.close();
    }
}
