import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseNote } from "../../shared/note/parse";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";
import { stream } from "../helpers/client";

describe("POST /v1/chat/stream", () => {
    let d: StartedDaemon;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stop();
    });

    function note(name: string, text: string): string {
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        writeFileSync(join(d.vault, "Chats", `${name}.md`), text);
        return `Chats/${name}`;
    }

    it("streams the reply as deltas and writes the note with frontmatter and scaffold", async () => {
        const file = note("paris", "What is the capital of France?\n\n\n");
        d.fake.enqueue({ text: "Paris is the capital of France.", chunkSize: 4 });
        const r = await stream(d, { filename: file });
        assert.equal(r.status, 200);
        const [start, ...rest] = r.events;
        assert.equal(start!.event, "start");
        assert.equal((start!.data as any).anchor, "What is the capital of France?".length);
        const done = r.terminal!;
        assert.equal(done.event, "done");
        const data = done.data as any;
        assert.equal(data.status, "ok");
        assert.equal(data.reply, "\n\n### Assistant:\n\nParis is the capital of France.\n\n### User:\n\n");
        assert.equal(r.reply, data.reply, "applying every delta gives done.reply");
        assert.ok(rest.filter((e) => e.event === "delta").length >= 8, "one delta per token");
        const disk = readFileSync(join(d.vault, "Chats", "paris.md"), "utf8");
        assert.equal(disk, data.new_content);
        assert.equal(
            disk,
            `---\nagent: assistant\nconversation_id: ${data.conversation_id}\n---\nWhat is the capital of France?${data.reply}`,
        );
        assert.equal(data.frontmatter, `---\nagent: assistant\nconversation_id: ${data.conversation_id}\n---\n`);
        const sent = d.fake.requests.at(-1)!.body;
        assert.deepEqual(sent.messages, [{ role: "user", content: [{ type: "text", text: "What is the capital of France?" }] }]);
        assert.equal(parseNote(disk).turns.at(-1)!.role, "user");
    });

    it("sends the stored history on the next turn and keeps the conversation id", async () => {
        const file = note("multi", "Hi there");
        d.fake.enqueue({ text: "Hello!" });
        const first = await stream(d, { filename: file });
        const id = (first.terminal!.data as any).conversation_id;
        const path = join(d.vault, "Chats", "multi.md");
        writeFileSync(path, `${readFileSync(path, "utf8")}How are you?\n`);
        d.fake.enqueue({ text: "Fine." });
        const second = await stream(d, { filename: file });
        assert.equal((second.terminal!.data as any).conversation_id, id);
        const sent = d.fake.requests.at(-1)!.body.messages;
        assert.deepEqual(
            sent.map((m: any) => [m.role, m.content[0].text]),
            [
                ["user", "Hi there"],
                ["assistant", "Hello!"],
                ["user", "How are you?"],
            ],
        );
    });
});

describe("stream details", () => {
    it("sends a : ping comment while nothing else goes out", async () => {
        const d = await startDaemon({ env: { LODGE_SSE_PING_MS: "150" } });
        try {
            writeFileSync(join(d.vault, "quiet.md"), "are you there?");
            d.fake.enqueue({ text: "yes", firstByteDelayMs: 700 });
            const res = await fetch(`${d.url}/v1/chat/stream`, {
                method: "POST",
                headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json" },
                body: JSON.stringify({ filename: "quiet" }),
            });
            const raw = await res.text();
            assert.ok((raw.match(/^: ping$/gm) ?? []).length >= 2, raw);
            assert.match(raw, /event: done/);
        } finally {
            await d.stop();
        }
    });

    it("keeps deltas the size of the change on a large note, and records who ran the turn", async () => {
        const d = await startDaemon();
        try {
            writeFileSync(join(d.vault, "large.md"), `${"a line of a large note\n".repeat(20_000)}question?`);
            d.fake.enqueue({ text: "word ".repeat(200), chunkSize: 5 });
            const r = await stream(d, { filename: "large" });
            const deltas = r.events.filter((e) => e.event === "delta").map((e) => e.data);
            assert.ok(deltas.length > 150);
            assert.ok(Math.max(...deltas.map((x) => x.insert.length + x.delete)) < 20, "no delta carries the note or the reply so far");
            const { Db } = await import("../../daemon/store/db");
            const { AuditStore } = await import("../../daemon/store/tokens");
            const db = await Db.open(join(d.data, "lodge.db"));
            const [row] = await new AuditStore(db).recent(1);
            await db.close();
            assert.equal(row!.actor, "obsidian");
            assert.equal(row!.note_path, "large.md");
            assert.equal(row!.status, "ok");
            assert.equal(row!.agent, "assistant");
        } finally {
            await d.stop();
        }
    });
});
