/**
 * Following turns (docs/daemon.md) against the built daemon: `GET /v1/chat/stream?filename=` joins a
 * running turn (start marked rejoined, the reply so far as one delta, the live deltas, the terminal
 * event) for any number of followers, and `GET /v1/events` tells of turns and configuration changes.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { applyDelta } from "../../shared/protocol/delta";
import { FakeLlm } from "../fakes/fake-llm";
import { call, follow, type SseEvent, stream } from "../helpers/client";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";
import { cloneMemory, commitAndPush, createToken, memoryConfig, writeFiles } from "../helpers/git-memory";

const REPLY = Array.from({ length: 30 }, (_, i) => `word${i} `)
    .join("")
    .trim();

/** The reply a follower holds after applying its deltas. */
const replyOf = (events: SseEvent[]): string => events.filter((e) => e.event === "delta").reduce((r, e) => applyDelta(r, e.data), "");

describe("following turns (docs/daemon.md)", function () {
    this.timeout(60_000);
    let fake: FakeLlm;
    let d: StartedDaemon;

    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: memoryConfig(fake, "You help.") });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    const note = (name: string, text: string): void => {
        mkdirSync(dirname(join(d.vault, `${name}.md`)), { recursive: true });
        writeFileSync(join(d.vault, `${name}.md`), text);
    };

    it("with no turn running: 404 not_found; without filename: 400", async () => {
        note("Chats/idle", "Hello?\n");
        const idle = await follow(d, "/v1/chat/stream?filename=Chats/idle", () => undefined);
        assert.equal(idle.status, 404);
        assert.equal(idle.body.error.code, "not_found");
        assert.equal((await follow(d, "/v1/chat/stream", () => undefined)).status, 400);
        assert.equal((await follow(d, "/v1/chat/stream?filename=../outside", () => undefined)).body.error.code, "path_outside_vault");
    });

    it("followers joining mid-turn get start (rejoined), the reply so far as one delta, then the live deltas and the same terminal event", async () => {
        note("Chats/rejoin", "Tell me a long story.\n");
        fake.enqueue({ text: REPLY, chunkSize: 6, chunkDelayMs: 60 });
        let ownerDeltas = 0;
        const followed: Array<Promise<Awaited<ReturnType<typeof follow>>>> = [];
        const owner = await stream(d, { filename: "Chats/rejoin", writer: "daemon" }, (event) => {
            if (event.event === "delta" && ++ownerDeltas === 5) {
                followed.push(...[0, 1].map(() => follow(d, "/v1/chat/stream?filename=Chats/rejoin", () => undefined)));
                // A third follower leaves after its first delta: the turn goes on for everyone else.
                followed.push(follow(d, "/v1/chat/stream?filename=Chats%2Frejoin", (e) => (e.event === "delta" ? "stop" : undefined)));
            }
        });
        assert.equal(owner.terminal?.event, "done");
        const followers = (await Promise.all(followed)).slice(0, 2);
        assert.equal(followed.length, 3);
        for (const f of followers) {
            assert.equal(f.status, 200);
            const [start, first] = f.events;
            assert.equal(start!.event, "start");
            assert.deepEqual(start!.data, { ...owner.events[0]!.data, rejoined: true });
            assert.equal(first!.event, "delta");
            assert.equal(first!.data.at, 0);
            assert.equal(first!.data.delete, 0);
            assert.ok(first!.data.insert.length > 0 && first!.data.insert.length < owner.reply.length, "the reply so far, not all of it");
            assert.equal(replyOf(f.events), owner.reply, "the follower ends with the owner's reply");
            assert.deepEqual(f.events.at(-1), { event: "done", data: owner.terminal.data });
            assert.ok(f.events.filter((e) => e.event === "delta").length > 2, "live deltas followed the catch-up");
        }
    });

    it("GET /v1/events: turn started and ended with filename, agent, conversation id and frontend", async () => {
        const seen: SseEvent[] = [];
        const listening = follow(d, "/v1/events", (e, all) => {
            seen.push(e);
            return all.filter((x) => x.event === "turn").length === 2 ? "stop" : undefined;
        });
        await new Promise((r) => setTimeout(r, 200));
        note("Chats/evented", "Hi there.\n");
        const done = await stream(d, { filename: "Chats/evented" });
        const { status } = await listening;
        assert.equal(status, 200);
        const id = (done.terminal!.data as { conversation_id: string }).conversation_id;
        assert.deepEqual(seen, [
            {
                event: "turn",
                data: { filename: "Chats/evented.md", agent: "assistant", conversation_id: id, frontend: "note", state: "started" },
            },
            {
                event: "turn",
                data: { filename: "Chats/evented.md", agent: "assistant", conversation_id: id, frontend: "note", state: "ok" },
            },
        ]);
    });

    it("GET /v1/events: a push that changes a skill sends config with the new ETag of /v1/config", async () => {
        const before = (await call(d, "/v1/config")).headers.get("etag");
        const token = createToken(d, "events-git");
        const dir = await cloneMemory(d, token, "assistant");
        const listening = follow(d, "/v1/events", (e) => (e.event === "config" ? "stop" : undefined));
        await new Promise((r) => setTimeout(r, 200));
        writeFiles(dir, { "skills/notes/SKILL.md": "---\nname: notes\ndescription: Taking notes.\n---\nWrite short notes.\n" });
        assert.equal((await commitAndPush(dir, "a skill")).code, 0);
        const { events } = await listening;
        const after = (await call(d, "/v1/config")).headers.get("etag");
        assert.notEqual(after, before);
        assert.deepEqual(events.at(-1), { event: "config", data: { etag: after } });
    });
});
