/**
 * `chats.watch` outside the chat folders (docs/daemon.md "Watching notes"): a note there is watched once
 * the daemon has a conversation for it, and answered while its frontmatter has `agent:` (an empty one
 * too: docs/notes.md); the rest of the vault is never looked at. Also across a restart, and `watch: false`.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FakeLlm } from "../fakes/fake-llm";
import { Db } from "../../daemon/store/db";
import { AuditStore } from "../../daemon/store/tokens";
import { AFTER_TURN_MS } from "../../daemon/watch/watcher";
import { call, eventually, sleep } from "../helpers/client";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";
import { lookedAt, looksAt, requestsAbout, SCAFFOLD, vaultFiles, WATCH_IDLE_MS as IDLE, WATCH_TRACE, watchConfig } from "../helpers/watch";

describe("watching chat notes outside the chat folders", () => {
    let fake: FakeLlm;
    let d: StartedDaemon;
    const { put, read } = vaultFiles(() => d);

    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: watchConfig(fake), env: WATCH_TRACE });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    it("leaves alone notes outside the chat folders without a conversation, hidden folders and other files", async () => {
        put("Notes/Plain.md", "w-plain: a question in an ordinary note\n");
        put("Notes/Unknown agent note.md", "---\nagent: assistant\n---\nw-plain: never sent to the daemon\n");
        put("Chats/.trash/Old.md", "w-plain: in the trash\n");
        put("Chats/.Hidden.md.0123456789ab.tmp", "w-plain: a temporary file\n");
        put("Chats/notes.txt", "w-plain: not markdown\n");
        // A chat note written after them: once the watcher has looked at it, their changes came and went.
        put("Chats/Plain after.md", "w-after asked\n\n### Assistant:\n\nanswered\n\n### User:\n\n");
        assert.equal(await lookedAt(d, "Chats/Plain after.md", 0), "nothing to do (blank_user_turn)");
        for (const name of [
            "Notes/Plain.md",
            "Notes/Unknown agent note.md",
            "Chats/.trash/Old.md",
            "Chats/.Hidden.md.0123456789ab.tmp",
            "Chats/notes.txt",
        ]) {
            assert.deepEqual(looksAt(d, name), [], name);
        }
        assert.equal(requestsAbout(fake, "w-plain").length, 0);
        assert.equal(read("Notes/Plain.md"), "w-plain: a question in an ordinary note\n");
        assert.equal(read("Notes/Unknown agent note.md"), "---\nagent: assistant\n---\nw-plain: never sent to the daemon\n");
        assert.equal(read("Chats/.trash/Old.md"), "w-plain: in the trash\n");
    });

    it("watches a note outside the folders once a turn ran on it, while it keeps `agent:`", async () => {
        const name = "Projects/Plan.md";
        put(name, "---\nagent: assistant\n---\nw-outside one\n");
        const r = await call(d, "/v1/chat", { body: { filename: name } });
        assert.equal(r.body.status, "ok");
        const first = read(name);
        put(name, `${first}w-outside two\n`);
        // A turn from elsewhere holds the note for AFTER_TURN_MS, then the change is answered.
        const second = await eventually(
            () => read(name).length > first.length + 20 && read(name).endsWith(SCAFFOLD) && read(name),
            AFTER_TURN_MS + 5000,
            "the watcher's reply",
        );
        assert.match(second, /w-outside two\n\n### Assistant:\n\nFAKE\[n=3\] you said: w-outside two\n\n### User:\n\n$/);
        // Without `agent:` it is an ordinary note again.
        const plain = `${second.replace(/^---\n[\s\S]*?\n---\n/, "")}w-outside three\n`;
        const looked = looksAt(d, name).length;
        put(name, plain);
        assert.equal(await lookedAt(d, name, looked), "not a chat note");
        assert.equal(read(name), plain);
        assert.equal(requestsAbout(fake, "w-outside three").length, 0);
    });

    it("answers a note outside the folders whose `agent:` is empty, with the default agent (docs/notes.md)", async () => {
        const name = "Projects/Empty agent.md";
        put(name, "---\nagent: assistant\n---\nw-empty one\n");
        assert.equal((await call(d, "/v1/chat", { body: { filename: name } })).body.status, "ok");
        const first = read(name);
        const emptied = `${first.replace(/^agent: assistant$/m, "agent:")}w-empty two\n`;
        assert.notEqual(emptied, `${first}w-empty two\n`);
        put(name, emptied);
        const second = await eventually(
            () => read(name).length > emptied.length && read(name).endsWith(SCAFFOLD) && read(name),
            AFTER_TURN_MS + 5000,
            "the watcher's reply",
        );
        assert.match(second, /^---\nagent: assistant\nconversation_id: [0-9a-f-]{36}\n---\n/, "the agent that answered is written back");
        assert.match(second, /w-empty two\n\n### Assistant:\n\nFAKE\[n=3\] you said: w-empty two\n\n### User:\n\n$/);
        const reqs = requestsAbout(fake, "w-empty two");
        assert.equal(reqs.length, 1);
        assert.equal(reqs[0]!.body.model, "claude-test", "the default agent (assistant) answered");
    });
});

describe("watching chat notes across a restart", () => {
    it("watches notes elsewhere that the database has conversations for", async () => {
        const fake = await FakeLlm.start();
        let d = await startDaemon({ fake, config: watchConfig(fake) });
        try {
            const name = "Journal/Day.md";
            const path = join(d.vault, name);
            mkdirSync(dirname(path), { recursive: true });
            writeFileSync(path, "---\nagent: assistant\n---\nw-restart one\n");
            assert.equal((await call(d, "/v1/chat", { body: { filename: name } })).body.status, "ok");
            assert.equal(await d.stop(), 0);
            d = await startDaemon({ fake, config: watchConfig(fake), vault: d.vault, data: d.data });
            assert.match(d.stdout(), /and 1 elsewhere/);
            const first = readFileSync(path, "utf8");
            writeFileSync(path, `${first}w-restart two\n`);
            const text = await eventually(
                () => {
                    const t = readFileSync(path, "utf8");
                    return t.length > first.length + 20 && t.endsWith(SCAFFOLD) && t;
                },
                5000,
                "the reply after the restart",
            );
            assert.match(text, /w-restart two\n\n### Assistant:\n\nFAKE\[n=3\] you said: w-restart two\n\n### User:\n\n$/);
            assert.equal(await d.stop(), 0);
            // The audit log tells the two turns apart: the plugin's token, then the watcher.
            const db = await Db.open(join(d.data, "lodge.db"));
            const rows = await new AuditStore(db).recent(10);
            await db.close();
            assert.deepEqual(
                rows.reverse().map((r) => [r.actor, r.note_path, r.status]),
                [
                    ["obsidian", name, "ok"],
                    ["watcher", name, "ok"],
                ],
            );
        } finally {
            await d.stop();
            await fake.close();
        }
    });
});

describe("chats.watch: false", () => {
    it("never starts a turn for notes changed on disk", async () => {
        const fake = await FakeLlm.start();
        const d = await startDaemon({ fake, config: watchConfig(fake, false), env: WATCH_TRACE });
        try {
            const path = join(d.vault, "Chats", "Unwatched.md");
            // No watcher runs, so none can say it has seen the change: the test waits out the idle time, twice.
            writeFileSync(path, "w-off: a question\n");
            await sleep(IDLE * 4);
            writeFileSync(path, "w-off: a question, edited\n");
            await sleep(IDLE * 4);
            assert.equal(fake.requests.filter((r) => r.api === "anthropic").length, 0);
            assert.equal(readFileSync(path, "utf8"), "w-off: a question, edited\n");
            assert.doesNotMatch(d.stdout(), /watching/);
            assert.doesNotMatch(d.stderr(), /watch: looked at/);
        } finally {
            await d.stop();
            await fake.close();
        }
    });
});
