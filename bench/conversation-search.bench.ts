/**
 * CONTRIBUTING.md, conversation search: 100,000 conversations and 1,000,000 messages, full-text queries
 * ≤ 20 ms median. The database is seeded afresh on every run (nothing is cached between runs), in one
 * transaction of multi-row inserts, so the search indexes are filled by the same triggers a turn
 * fires. The queries go over HTTP to the built daemon started on that database, as a client sends
 * them: each figure is the whole request, from `fetch` to the parsed JSON.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Db } from "../daemon/store/db";
import { call } from "../test/helpers/client";
import { scratch, startDaemon } from "../test/helpers/daemon";
import { rng } from "../test/helpers/random";
import type { BenchRow } from "./report";

const CONVERSATIONS = 100_000;
const MESSAGES_PER_CONVERSATION = 10;
const ROWS_PER_INSERT = 200;
const START = Date.parse("2025-01-01T00:00:00.000Z");

/** Words planted in a known number of conversations, so each query's answer has a known size. */
const PLANTED = { heliotrope: 300, heliograph: 150, heliostat: 150, saffron: 400, lantern: 400 };

/** A vocabulary without the letter h, so no background word starts like the planted ones. */
export function vocabulary(random: () => number, size: number): string[] {
    const onsets = ["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "br", "st", "tr", "pl", "gr"];
    const vowels = ["a", "e", "i", "o", "u", "ai", "ou", "ei"];
    const words = new Set<string>();
    while (words.size < size) {
        let w = "";
        const syllables = 1 + Math.floor(random() * 3);
        for (let s = 0; s < syllables; s++)
            w += onsets[Math.floor(random() * onsets.length)]! + vowels[Math.floor(random() * vowels.length)]!;
        if (random() < 0.3) w += "n";
        words.add(w);
    }
    return [...words];
}

/** Zipf-distributed picks: a few words are everywhere, most are rare, as in real text. */
export function zipf(random: () => number, n: number): () => number {
    const cumulative = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) cumulative[i] = total += 1 / (i + 1);
    return () => {
        const x = random() * total;
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (cumulative[mid]! < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Fills a new database with CONVERSATIONS conversations of MESSAGES_PER_CONVERSATION messages. */
export async function seed(file: string): Promise<void> {
    const random = rng(20_250_101);
    const words = vocabulary(random, 20_000);
    const nextWord = zipf(random, words.length);
    const sentence = (n: number): string => Array.from({ length: n }, () => words[nextWord()]!).join(" ");
    // Which message of which conversation carries each planted word.
    const planted = new Map<number, string[]>();
    for (const [word, count] of Object.entries(PLANTED)) {
        for (let i = 0; i < count; i++) {
            const at = Math.floor(random() * CONVERSATIONS * MESSAGES_PER_CONVERSATION);
            planted.set(at, [...(planted.get(at) ?? []), word]);
        }
    }
    const agents = ["assistant", "assistant", "assistant", "gpt", "gpt", "coder"];
    const db = await Db.open(file);
    try {
        await db.tx(async () => {
            let conversations: Array<string | number | null> = [];
            let messages: Array<string | number | null> = [];
            const flushConversations = async (): Promise<void> => {
                const n = conversations.length / 8;
                if (n === 0) return;
                await db.run(
                    `INSERT INTO conversations (id, agent, note_path, title, parent_id, created_at, updated_at, message_count) VALUES ${Array(n).fill("(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
                    conversations,
                );
                conversations = [];
            };
            const flushMessages = async (): Promise<void> => {
                const n = messages.length / 5;
                if (n === 0) return;
                await db.run(
                    `INSERT INTO messages (conversation_id, seq, role, content, created_at) VALUES ${Array(n).fill("(?, ?, ?, ?, ?)").join(", ")}`,
                    messages,
                );
                messages = [];
            };
            for (let c = 0; c < CONVERSATIONS; c++) {
                const id = `c${String(c).padStart(6, "0")}`;
                const created = START + c * 5 * 60_000 + Math.floor(random() * 60_000);
                const updated = created + Math.floor(random() * 30 * 86_400_000);
                const title = `${random() < 0.1 ? "Trip to " : "Notes on "}${words[nextWord()]} ${words[Math.floor(random() * words.length)]}`;
                conversations.push(
                    id,
                    agents[c % agents.length]!,
                    `Chats/${id}.md`,
                    title,
                    null,
                    iso(created),
                    iso(updated),
                    MESSAGES_PER_CONVERSATION,
                );
                for (let s = 0; s < MESSAGES_PER_CONVERSATION; s++) {
                    const extra = planted.get(c * MESSAGES_PER_CONVERSATION + s);
                    const text = sentence(12 + Math.floor(random() * 28)) + (extra ? ` ${extra.join(" ")} ${sentence(5)}` : "");
                    messages.push(
                        id,
                        s,
                        s % 2 === 0 ? "user" : "assistant",
                        JSON.stringify([{ type: "text", text }]),
                        iso(created + s * 1000),
                    );
                    if (messages.length / 5 >= ROWS_PER_INSERT) {
                        await flushConversations(); // a message's conversation goes in first (foreign key)
                        await flushMessages();
                    }
                }
                if (conversations.length / 8 >= ROWS_PER_INSERT) await flushConversations();
            }
            await flushConversations();
            await flushMessages();
        });
    } finally {
        await db.close();
    }
}

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<BenchRow[]> {
    const root = scratch("lodge-bench-search-");
    const data = join(root, "data");
    const t0 = performance.now();
    mkdirSync(data, { recursive: true });
    await seed(join(data, "lodge.db"));
    const seedSeconds = (performance.now() - t0) / 1000;
    const d = await startDaemon({ data, vault: join(root, "vault") });
    try {
        const mid = iso(START + (CONVERSATIONS / 2) * 5 * 60_000);
        const queries: Array<[string, string]> = [
            ["a word in ~300 conversations", "q=heliotrope"],
            ["a prefix (helio*, ~600 conversations)", "q=helio*"],
            ["two words (saffron lantern)", "q=saffron%20lantern"],
            [
                "a word with filters (agent, updated_at__gte, title__contains)",
                `q=saffron&agent=assistant&updated_at__gte=${mid}&title__contains=notes`,
            ],
        ];
        const rows: BenchRow[] = [];
        const all: number[] = [];
        for (const [name, query] of queries) {
            const times: number[] = [];
            let items = 0;
            for (let i = 0; i < 31; i++) {
                const start = performance.now();
                const r = await call(d, `/v1/conversations/search?${query}`);
                const took = performance.now() - start;
                if (r.status !== 200) throw new Error(`${query}: ${r.status} ${JSON.stringify(r.body)}`);
                items = (r.body as { items: unknown[] }).items.length;
                if (i > 0) times.push(took);
            }
            all.push(...times);
            rows.push({
                name: `conversation search, ${name}: median`,
                value: median(times),
                unit: "ms",
                budget: 20,
                note: `${items} on the first page`,
            });
        }
        rows.unshift({
            name: "conversation search, 100,000 conversations / 1,000,000 messages, full text (median of every query below)",
            value: median(all),
            unit: "ms",
            budget: 20,
            note: `seeded in ${seedSeconds.toFixed(1)} s`,
        });
        return rows;
    } finally {
        await d.stop();
        rmSync(root, { recursive: true, force: true });
    }
}
