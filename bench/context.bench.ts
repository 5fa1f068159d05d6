/**
 * CONTRIBUTING.md, notes as context: 20 linked notes of 50 KB each resolved and read ≤ 30 ms; fitting a
 * conversation of 10,000 messages ≤ 20 ms per turn. Both through the turn's context step itself
 * (daemon/context/context-step.ts), in this process, on a vault of 2,000 other notes in 100 folders
 * so that links by name must look through the vault's file names.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withContext } from "../daemon/context/context-step";
import type { AgentConfig } from "../daemon/config";
import { createLogger } from "../daemon/log";
import type { CanonicalMessage } from "../daemon/messages";
import { Visibility } from "../daemon/vault/visibility";
import { scratch } from "../test/helpers/daemon";
import type { BenchRow } from "./report";

const ROUNDS = 30;
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

const AGENT: AgentConfig = {
    name: "bench",
    backend: "anthropic",
    model: "claude-bench",
    system: "s",
    description: "",
    max_tokens: 4096,
    memory: false,
    request_timeout_ms: 1000,
    max_tool_rounds: 8,
    context_tokens: 200_000,
};

function history(n: number): CanonicalMessage[] {
    const out: CanonicalMessage[] = [];
    for (let i = 0; i < n; i++) {
        if (i % 2 === 0) out.push({ role: "user", content: [{ type: "text", text: `question ${i} ${"word ".repeat(100)}` }] });
        else out.push({ role: "assistant", content: [{ type: "text", text: `answer ${i} ${"reply ".repeat(150)}` }] });
    }
    return out;
}

export async function run(): Promise<BenchRow[]> {
    const root = join(scratch("lodge-bench-context-"), "vault");
    try {
        for (let f = 0; f < 100; f++) {
            mkdirSync(join(root, `Area ${f % 10}/Topic ${f}`), { recursive: true });
            for (let i = 0; i < 20; i++) writeFileSync(join(root, `Area ${f % 10}/Topic ${f}/note ${i}.md`), `Other note ${f}/${i}.\n`);
        }
        for (let i = 0; i < 20; i++)
            writeFileSync(
                join(root, `Area ${i % 10}/Topic ${i}/Linked ${i}.md`),
                `---\ntags: [x]\n---\n${`Line ${i} of a long note. `.repeat(2000).slice(0, 50_000)}`,
            );
        mkdirSync(join(root, "Chats"), { recursive: true });
        const text = Array.from({ length: 20 }, (_, i) => `[[Linked ${i}]]`).join(" ");
        const deps = {
            root,
            visibility: new Visibility(["#private"]),
            linkChars: 2_000_000,
            maxBytes: 16 * 1024 * 1024,
            log: createLogger(),
        };
        const step = withContext((_a, base, c) => Promise.resolve({ system: base, pending: [...c.pending] }), deps);
        const note = { path: "Chats/bench.md", frontmatter: null };
        const pending: CanonicalMessage[] = [{ role: "user", content: [{ type: "text", text }] }];

        const links: number[] = [];
        let sent = 0;
        for (let r = 0; r < ROUNDS; r++) {
            const t0 = performance.now();
            const prepared = await step(AGENT, "s", { kept: [], pending, note });
            links.push(performance.now() - t0);
            sent = prepared.pending[0]!.content.length - 1;
        }
        if (sent !== 20) throw new Error(`expected 20 linked notes, got ${sent}`);

        const kept = history(10_000);
        const fit: number[] = [];
        let leftOut = 0;
        for (let r = 0; r < ROUNDS; r++) {
            const t0 = performance.now();
            const prepared = await step(AGENT, "s", { kept, pending: [{ role: "user", content: [{ type: "text", text: "next" }] }], note });
            fit.push(performance.now() - t0);
            leftOut = kept.length + 1 - prepared.send!.length;
        }
        if (leftOut === 0) throw new Error("the 10,000-message conversation was expected not to fit 200,000 tokens");
        return [
            {
                name: "links of a turn: 20 linked notes of 50 KB, resolved and read (median)",
                value: median(links),
                unit: "ms",
                budget: 30,
                note: `2,000 other notes in the vault; ${ROUNDS} rounds`,
            },
            {
                name: "context fitting, a conversation of 10,000 messages (median per turn)",
                value: median(fit),
                unit: "ms",
                budget: 20,
                note: `${leftOut.toLocaleString("en-US")} messages left out to fit 200,000 tokens`,
            },
        ];
    } finally {
        rmSync(join(root, ".."), { recursive: true, force: true });
    }
}
