/** CONTRIBUTING.md: parsing a 5 MB note with 2,000 turns and 200 fenced blocks; 10 MB must scale linearly. */
import { readFrontmatter } from "../shared/note/frontmatter";
import { parseNote } from "../shared/note/parse";
import type { BenchRow } from "./report";

/** A chat note of about `bytes` characters: `turns` turns, `fences` code blocks, callouts, lists, quotes. */
export function bigNote(bytes: number, turns: number, fences: number): string {
    const parts: string[] = ["---\nagent: assistant\ntags: [bench]\n---\n"];
    const perTurn = Math.floor(bytes / turns);
    const paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. ";
    for (let t = 0; t < turns; t++) {
        const role = t % 2 === 0 ? "User" : "Assistant";
        let body = t === 0 ? "" : `### ${role}:\n\n`;
        if (role === "Assistant" && t % 10 === 1) body += "> [!thinking]-\n> weighing it\n\n> [!tool]- memory_replace persona\n> ok\n\n";
        if (t % Math.max(1, Math.floor(turns / fences)) === 0)
            body += "```ts\n### User:\nconst x = 1; // a heading-looking line inside a fence\n```\n\n";
        while (body.length < perTurn - paragraph.length) body += t % 3 === 0 ? `- ${paragraph}\n` : `${paragraph}\n\n`;
        parts.push(body);
    }
    return parts.join("\n");
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
}

function timeOnce(text: string): number {
    const start = performance.now();
    parseNote(text);
    return performance.now() - start;
}

function timed(fn: () => unknown): number {
    const start = performance.now();
    fn();
    return performance.now() - start;
}

function refused(fn: () => unknown): void {
    try {
        fn();
    } catch {
        return;
    }
    throw new Error("a frontmatter of 100,000 keys was accepted");
}

export async function run(): Promise<BenchRow[]> {
    const five = bigNote(5 * 1024 * 1024, 2000, 200);
    const ten = bigNote(10 * 1024 * 1024, 4000, 400);
    const turns = parseNote(five).turns.length;
    if (turns !== 2000) throw new Error(`the 5 MB note has ${turns} turns, not 2,000`);
    for (let i = 0; i < 5; i++) timeOnce(five); // warm up the JIT
    // Interleaved, so a slow moment of the machine weighs on both sizes alike.
    const fives: number[] = [];
    const tens: number[] = [];
    for (let i = 0; i < 41; i++) {
        fives.push(timeOnce(five));
        tens.push(timeOnce(ten));
    }
    const fiveMs = median(fives);
    const tenMs = median(tens);
    // The ratio compares best times: the algorithm's cost without other processes' noise.
    const ratio = Math.min(...tens) / Math.min(...fives);
    // Issue 9: frontmatter parsing was quadratic in its keys (10k keys 1 s, 100k hung the daemon).
    const keys = (n: number, indent: string): string => Array.from({ length: n }, (_, i) => `${indent}k${i}: v`).join("\n");
    const nested = `---\nm:\n${keys(6000, " ")}\n---\n`;
    const flood = `---\n${keys(100_000, "")}\n---\nbody`;
    const nestedMs = median(Array.from({ length: 11 }, () => timed(() => readFrontmatter(nested))));
    const floodMs = median(Array.from({ length: 11 }, () => timed(() => refused(() => readFrontmatter(flood)))));
    return Promise.resolve([
        {
            name: "frontmatter with a nested map of 6,000 keys (median)",
            value: nestedMs,
            unit: "ms",
            budget: 250,
            note: "quadratic before issue 9: 1,128 ms",
        },
        { name: "frontmatter with 100,000 keys refused (median)", value: floodMs, unit: "ms", budget: 50 },
        { name: "parse a 5 MB note, 2,000 turns, 200 fenced blocks (median)", value: fiveMs, unit: "ms", budget: 50 },
        {
            name: "parse a 10 MB note, relative to the 5 MB one (best of 41 each)",
            value: ratio,
            unit: "×",
            budget: 2.2,
            note: `best ${Math.min(...tens).toFixed(1)} ms vs ${Math.min(...fives).toFixed(1)} ms; medians ${tenMs.toFixed(1)} ms vs ${fiveMs.toFixed(1)} ms`,
        },
    ]);
}
