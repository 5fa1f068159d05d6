/**
 * Many devices, one daemon (docs/daemon.md): questions synced from another device are answered once, the
 * partial reply grows on disk (`chats.progress_ms`), Obsidian's open notes are left to the plugin
 * (`POST /v1/chat/open`), a follower with `writer=editor` takes the note over, and a question that
 * arrived while the daemon was down is answered at the next start. Files change on disk as a sync
 * tool changes them: written in place, or renamed into place.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FakeLlm, type RecordedRequest } from "../fakes/fake-llm";
import { call, eventually, follow, sleep, type SseEvent } from "../helpers/client";
import { lodge } from "../helpers/cli";
import { defaultConfig, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { lookedAt, looksAt, OWN, WATCH_TRACE } from "../helpers/watch";

const IDLE = 200;
const PROGRESS = 250;
const SCAFFOLD = "\n\n### User:\n\n";
const HEAD = "### Assistant:";
const REPLY = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");

const count = (text: string, part: string): number => text.split(part).length - 1;

describe("many devices, one daemon (docs/daemon.md)", function () {
    this.timeout(60_000);
    let fake: FakeLlm;
    let d: StartedDaemon;
    const file = (name: string): string => join(d.vault, name);
    const read = (name: string): string => readFileSync(file(name), "utf8");
    /** A sync tool: the new text in a temporary file, renamed over the note. */
    const sync = (name: string, text: string): void => {
        mkdirSync(dirname(file(name)), { recursive: true });
        const tmp = join(dirname(file(name)), `.sync-${Math.random().toString(36).slice(2)}`);
        writeFileSync(tmp, text);
        renameSync(tmp, file(name));
    };
    const about = (marker: string): RecordedRequest[] =>
        fake.requests.filter((r) => JSON.stringify(r.body?.messages ?? []).includes(marker));
    const answered = (name: string) => eventually(() => read(name).endsWith(SCAFFOLD) && read(name), 10_000, `a reply in ${name}`);

    before(async () => {
        fake = await FakeLlm.start();
        // No `watch:` key: watching is the default.
        d = await startDaemon({
            fake,
            config: { ...defaultConfig(fake), chats: { watch_idle_ms: IDLE, progress_ms: PROGRESS } },
            env: WATCH_TRACE,
        });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    it("lodge doctor names the daemon that holds the data folder's lock", async () => {
        const result = await lodge(["doctor", "--data", d.data, "--config", d.configPath]);
        const pid = JSON.parse(readFileSync(join(d.data, "daemon.json"), "utf8")).pid as number;
        assert.match(result.out, new RegExp(`daemon: pid ${pid} at ${d.url.replace(/\./g, "\\.")} holds .*daemon\\.lock`));
        // The doctor let go of the lock at once: the daemon still answers.
        assert.equal((await call(d, "/healthz", { token: null })).status, 200);
    });

    it("watches by default, and shows the partial reply growing on disk, one assistant turn at every moment", async () => {
        assert.match(d.stdout(), /watching chat notes changed on disk: Chats\//);
        fake.enqueue({ text: REPLY, chunkSize: 3, chunkDelayMs: 40 });
        sync("Chats/phone.md", "From the phone (dev-progress)\n");
        const seen = new Set<string>();
        const final = await eventually(
            () => {
                const text = read("Chats/phone.md");
                if (text.includes(HEAD)) seen.add(text);
                return text.endsWith(SCAFFOLD) && text;
            },
            10_000,
            "the final reply",
        );
        const partial = [...seen].filter((t) => !t.endsWith(SCAFFOLD));
        assert.ok(partial.length >= 2, `expected the reply to grow on disk, saw ${partial.length} partial states`);
        for (const text of seen) assert.equal(count(text, HEAD), 1, text);
        for (const text of partial) {
            const body = text.slice(text.indexOf(HEAD) + HEAD.length).trim();
            assert.ok(REPLY.startsWith(body), `a partial reply that is not part of the reply: ${body}`);
            assert.match(text, /^---\nagent: assistant\nconversation_id: [0-9a-f-]{36}\n---\n/);
        }
        assert.ok(final.endsWith(`${HEAD}\n\n${REPLY}${SCAFFOLD}`), final);
        // The progress writes are the daemon's own: they start no other turn, down to the last one.
        assert.match(await lookedAt(d, "Chats/phone.md", 0), OWN);
        assert.equal(about("dev-progress").length, 1);
    });

    it("keeps what another device adds below the partial reply, and replaces the partial reply at the end", async () => {
        fake.enqueue({ text: REPLY, chunkSize: 3, chunkDelayMs: 50 });
        sync("Chats/edited.md", "Question (dev-edited)\n");
        const partial = await eventually(
            () => {
                const text = read("Chats/edited.md");
                return text.includes(HEAD) && text.split(HEAD)[1]!.trim().length > 10 && !text.endsWith(SCAFFOLD) && text;
            },
            10_000,
            "a partial reply",
        );
        sync("Chats/edited.md", `${partial}\n\nPS from the laptop\n`);
        await eventually(() => read("Chats/edited.md").includes(`${REPLY}${SCAFFOLD}`), 10_000, "the whole reply");
        const text = read("Chats/edited.md");
        assert.equal(count(text, HEAD), 1, text);
        assert.ok(text.includes("PS from the laptop"), text);
        assert.ok(text.indexOf("PS from the laptop") > text.indexOf(REPLY), text);
    });

    it("leaves a note open in a connected Obsidian to the plugin, and answers it once Obsidian is gone", async () => {
        sync("Chats/open.md", "Already answered\n\n### Assistant:\n\nyes\n\n### User:\n\n");
        assert.equal(await lookedAt(d, "Chats/open.md", 0), "nothing to do (blank_user_turn)");
        const client = "desktop-1";
        const events = new AbortController();
        const res = await fetch(`${d.url}/v1/events?client=${client}`, {
            headers: { authorization: `Bearer ${d.token}` },
            signal: events.signal,
        });
        assert.equal(res.status, 200);
        const report = await eventually(
            async () => {
                const r = await call(d, "/v1/chat/open", { method: "POST", body: { client, filenames: ["Chats/open"] } });
                return r.body.connected === true && r;
            },
            5000,
            "the events stream to count",
        );
        assert.deepEqual(report.body, { open: 1, connected: true });
        // Typed in Obsidian (its autosave) or brought by a sync tool while open: the plugin's to send.
        const looked = looksAt(d, "Chats/open.md").length;
        sync("Chats/open.md", "Already answered\n\n### Assistant:\n\nyes\n\n### User:\n\nTyped on the desktop (dev-open)\n");
        assert.equal(await lookedAt(d, "Chats/open.md", looked), "open in Obsidian: the plugin sends it");
        assert.equal(about("dev-open").length, 0, "the watcher answered a note open in Obsidian");
        // Obsidian quits: its report ends with its stream.
        events.abort();
        await eventually(
            async () =>
                (await call(d, "/v1/chat/open", { method: "POST", body: { client, filenames: ["Chats/open"] } })).body.connected === false,
            5000,
            "the report to end",
        );
        sync("Chats/open.md", "Already answered\n\n### Assistant:\n\nyes\n\n### User:\n\nTyped on the desktop (dev-open) and more\n");
        await answered("Chats/open.md");
        assert.equal(about("dev-open").length, 1);
    });

    it("a report without a connected events stream does not count, and a bad report is refused", async () => {
        const r = await call(d, "/v1/chat/open", { method: "POST", body: { client: "never-connected", filenames: ["Chats/lonely.md"] } });
        assert.deepEqual(r.body, { open: 1, connected: false });
        sync("Chats/lonely.md", "Question (dev-lonely)\n");
        await answered("Chats/lonely.md");
        assert.equal((await call(d, "/v1/chat/open", { method: "POST", body: { client: "x y", filenames: [] } })).status, 400);
        assert.equal((await call(d, "/v1/chat/open", { method: "POST", body: { client: "a", filenames: "Chats/x" } })).status, 400);
        assert.equal(
            (await call(d, "/v1/chat/open", { method: "POST", body: { client: "a", filenames: ["../out"] } })).body.error.code,
            "path_outside_vault",
        );
        assert.equal((await call(d, "/v1/chat/open", { method: "POST", body: { client: "a", filenames: [] }, token: null })).status, 401);
    });

    it("two devices writing one note within the idle time: one turn, on the last text", async () => {
        sync("Chats/two.md", "First device (dev-two)\n");
        await sleep(IDLE / 4);
        sync("Chats/two.md", "First device (dev-two)\nSecond device adds a line\n");
        await answered("Chats/two.md");
        assert.match(await lookedAt(d, "Chats/two.md", 0), OWN);
        const requests = about("dev-two");
        assert.equal(requests.length, 1);
        assert.ok(JSON.stringify(requests[0]!.body.messages).includes("Second device adds a line"));
    });

    it("a follower with writer=editor holds the note: no progress writes, no final write; when it leaves, the daemon writes the reply once", async () => {
        fake.enqueue({ text: REPLY, chunkSize: 3, chunkDelayMs: 50 });
        sync("Chats/held.md", "Question (dev-held)\n");
        const start = await eventually(() => read("Chats/held.md").includes(HEAD) && read("Chats/held.md"), 10_000, "a partial reply");
        let deltas = 0;
        let held = "";
        const holder = follow(d, "/v1/chat/stream?filename=Chats/held.md&writer=editor", (e: SseEvent) => {
            if (e.event === "delta") deltas++;
            held = read("Chats/held.md");
            return deltas >= 12 ? "stop" : undefined;
        });
        await sleep(PROGRESS * 3);
        // While held, the file stays as it was when the follower came (at most one write already under way).
        const during = read("Chats/held.md");
        assert.ok(!during.endsWith(SCAFFOLD), during);
        const result = await holder;
        assert.equal(result.status, 200);
        assert.ok(held.length > 0 && start.length > 0);
        // The follower left before done: the daemon writes the final note, replacing its partial reply.
        await eventually(() => read("Chats/held.md").endsWith(`${REPLY}${SCAFFOLD}`), 10_000, "the final write");
        assert.equal(count(read("Chats/held.md"), HEAD), 1);
        assert.equal((await follow(d, "/v1/chat/stream?filename=Chats/held.md&writer=someone", () => undefined)).status, 400);
    });

    it("a follower with writer=editor that stays to the end gets done, and the daemon leaves the file to it", async () => {
        fake.enqueue({ text: "short held reply", chunkSize: 2, chunkDelayMs: 60 });
        sync("Chats/kept.md", "Question (dev-kept)\n");
        await eventually(() => fake.requests.some((r) => JSON.stringify(r.body?.messages ?? []).includes("dev-kept")), 5000, "the turn");
        const result = await follow(d, "/v1/chat/stream?filename=Chats/kept.md&writer=editor", () => undefined);
        const done = result.events.find((e) => e.event === "done");
        assert.ok(done, JSON.stringify(result.events.map((e) => e.event)));
        await sleep(PROGRESS * 2);
        assert.ok(!read("Chats/kept.md").endsWith(SCAFFOLD), "the daemon wrote behind the editor's back");
        assert.ok(done.data.new_content.endsWith(`short held reply${SCAFFOLD}`));
    });
});

describe("a question that arrived while the daemon was down", function () {
    this.timeout(60_000);

    it("is answered at the next start, like one seen just before the stop; answered and older notes are not", async () => {
        const fake = await FakeLlm.start();
        const config = { ...defaultConfig(fake), chats: { watch_idle_ms: IDLE } };
        let d = await startDaemon({ fake, config });
        const { vault, data } = d;
        writeFileSync(join(vault, "Chats", "old.md"), "Answered before the stop (dev-old)\n");
        await eventually(() => readFileSync(join(vault, "Chats", "old.md"), "utf8").endsWith(SCAFFOLD), 10_000, "the first reply");
        // Seen, but the daemon stops before its idle time is over: not lost either.
        writeFileSync(join(vault, "Chats", "pending.md"), "Seen just before the stop (dev-pending)\n");
        await sleep(IDLE / 4);
        await d.stop();
        await sleep(50);
        writeFileSync(join(vault, "Chats", "synced.md"), "Synced while the desktop was off (dev-missed)\n");
        d = await startDaemon({ fake, config, vault, data, env: WATCH_TRACE });
        try {
            await eventually(
                () => readFileSync(join(vault, "Chats", "synced.md"), "utf8").endsWith(SCAFFOLD),
                15_000,
                "the missed question's reply",
            );
            assert.match(await lookedAt(d, "Chats/synced.md", 0), OWN);
            assert.equal(fake.requests.filter((r) => JSON.stringify(r.body?.messages ?? []).includes("dev-missed")).length, 1);
            await eventually(
                () => readFileSync(join(vault, "Chats", "pending.md"), "utf8").endsWith(SCAFFOLD),
                15_000,
                "the pending question's reply",
            );
            const asked = (marker: string): number =>
                fake.requests.filter((r) => JSON.stringify(r.body?.messages ?? []).includes(marker)).length;
            assert.equal(asked("dev-old"), 1, "a note answered before the stop was answered again");
            assert.equal(asked("dev-pending"), 1);
            assert.equal(fake.requests.filter((r) => JSON.stringify(r.body?.messages ?? []).includes("Welcome")).length, 0);
        } finally {
            await d.stop();
            await fake.close();
        }
    });
});
