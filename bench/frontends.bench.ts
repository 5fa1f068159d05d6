/**
 * CONTRIBUTING.md, the OpenAI-compatible row: `POST /v1/chat/completions` to backend request start with a
 * logged conversation of 1,000 stored messages, the log note's write included. The client sends the
 * whole history each time, as Chat Completions clients do; the daemon finds the conversation by it.
 * Messages of ~250 characters (a chat's usual size) for the budget; the same with ~1,000-character
 * messages (a 1 MB note and 1 MB requests, the chat-stream row's size) is reported beside it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { assistantText, userText, type CanonicalMessage } from "../daemon/messages";
import { ConversationStore } from "../daemon/store/conversations";
import { Db } from "../daemon/store/db";
import { FakeLlm } from "../test/fakes/fake-llm";
import { scratch, startDaemon, wideConfig } from "../test/helpers/daemon";
import type { BenchRow } from "./report";

const NAME = "2026-12-01 1200 Question 0 of a long logged talk";

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
}

const sentence = (i: number, kind: string, repeat: number): string =>
    `${kind} ${i}: ${"an ordinary sentence of a long conversation, with some [[links]] and *emphasis*. ".repeat(repeat).trim()}`;

/** 500 exchanges (1,000 messages, ~1 MB) stored, with their log note in Chats/Logged. */
async function seed(vault: string, data: string, repeat: number): Promise<Array<{ role: "user" | "assistant"; content: string }>> {
    const id = randomUUID();
    const messages: CanonicalMessage[] = [];
    const client: Array<{ role: "user" | "assistant"; content: string }> = [];
    let note = `---\nagent: assistant\nconversation_id: ${id}\nfrontend: openai\n---\n`;
    for (let i = 0; i < 500; i++) {
        const question = i === 0 ? "Question 0 of a long logged talk" : sentence(i, "Question", repeat);
        const answer = sentence(i, "Answer", repeat);
        messages.push(userText(question), assistantText(answer));
        client.push({ role: "user", content: question }, { role: "assistant", content: answer });
        note += `${i === 0 ? "" : "\n\n### User:\n\n"}${question}\n\n### Assistant:\n\n${answer}`;
    }
    mkdirSync(join(vault, "Chats", "Logged"), { recursive: true });
    writeFileSync(join(vault, "Chats", "Logged", `${NAME}.md`), `${note}\n\n### User:\n\n`);
    const db = await Db.open(join(data, "lodge.db"));
    await new ConversationStore(db).create(
        { id, agent: "assistant", notePath: `Chats/Logged/${NAME}.md`, title: NAME, parentId: null },
        messages,
    );
    await db.close();
    return client;
}

/** Median and max ms from request to the backend's request, over 20 turns after a first one. */
async function measure(repeat: number): Promise<{ median: number; max: number }> {
    const fake = await FakeLlm.start();
    const root = scratch("lodge-bench-");
    const vault = join(root, "vault");
    const data = join(root, "data");
    mkdirSync(data, { recursive: true });
    const messages: Array<{ role: string; content: string }> = await seed(vault, data, repeat);
    const d = await startDaemon({ fake, vault, data, config: wideConfig(fake) });
    const times: number[] = [];
    try {
        for (let i = 0; i < 21; i++) {
            messages.push({ role: "user", content: `One more question, number ${i}?` });
            fake.enqueue({ text: `Short answer ${i}.` });
            const before = fake.requests.length;
            const body = JSON.stringify({ model: "assistant", messages });
            const t0 = performance.now();
            const res = await fetch(`${d.url}/v1/chat/completions`, {
                method: "POST",
                headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json" },
                body,
            });
            const answer = (await res.json()) as { choices?: Array<{ message: { content: string } }> };
            if (!res.ok || !answer.choices) throw new Error(`turn ${i} failed: ${JSON.stringify(answer)}`);
            const request = fake.requests[before]!;
            if (request.body.messages.length !== 1001 + 2 * i)
                throw new Error(`turn ${i} sent ${request.body.messages.length} messages: the conversation was not continued`);
            times.push(request.receivedAt - t0);
            messages.push({ role: "assistant", content: answer.choices[0]!.message.content });
        }
    } finally {
        await d.stop();
        await fake.close();
    }
    const rest = times.slice(1);
    return { median: median(rest), max: Math.max(...rest) };
}

export async function run(): Promise<BenchRow[]> {
    const usual = await measure(3);
    const large = await measure(12);
    return [
        {
            name: "POST /v1/chat/completions to backend request start, 1,000 stored messages, log note included (median)",
            value: usual.median,
            unit: "ms",
            budget: 30,
            note: `max ${usual.max.toFixed(1)} ms over 20 turns, ~250-character messages; with ~1,000-character ones (1 MB each request): median ${large.median.toFixed(1)} ms`,
        },
    ];
}
