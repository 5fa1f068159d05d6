/**
 * `chats.watch` (docs/config.md): chat notes changed on disk by another program are answered once they have
 * been left alone for `watch_idle_ms`, exactly as `POST /v1/chat` would answer them, and nothing the
 * daemon writes itself starts another turn. What did not happen is shown after the watcher's own word
 * that it looked at the note's latest bytes (the LODGE_DEBUG trace, test/helpers/watch.ts), not after a sleep.
 * Notes outside the chat folders, restarts and `watch: false`: watcher-elsewhere.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync, renameSync, rmSync } from "node:fs";
import { FakeLlm } from "../fakes/fake-llm";
import { AFTER_TURN_MS } from "../../daemon/watch/watcher";
import { eventually, sleep, stream } from "../helpers/client";
import { logLines, startDaemon, type StartedDaemon } from "../helpers/daemon";
import {
    lastUserText,
    lookedAt,
    looksAt,
    OWN,
    requestsAbout,
    SCAFFOLD,
    vaultFiles,
    WATCH_IDLE_MS as IDLE,
    WATCH_TRACE,
    watchConfig,
} from "../helpers/watch";

describe("watching chat notes (chats.watch)", () => {
    let fake: FakeLlm;
    let d: StartedDaemon;
    const { file, put, read, answered } = vaultFiles(() => d);

    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: watchConfig(fake), env: WATCH_TRACE });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    it("says at start what it watches", () => {
        assert.match(
            d.stdout(),
            /watching chat notes changed on disk: Chats\/, Later\/Inbox\/ \(1 note\) and 0 elsewhere; answered after 200 ms idle/,
        );
    });

    it("answers a note another program writes into the chat folder, once it is idle, and only once", async () => {
        const question = "What is the capital of France? (w-first)";
        const writtenAt = performance.now();
        put("Chats/From vim.md", `${question}\n`);
        const text = await answered("Chats/From vim.md");
        const id = /^---\nagent: assistant\nconversation_id: ([0-9a-f-]{36})\n---\n/.exec(text)?.[1];
        assert.ok(id, text);
        assert.equal(
            text,
            `---\nagent: assistant\nconversation_id: ${id}\n---\n${question}\n\n### Assistant:\n\nFAKE[n=1] you said: ${question}${SCAFFOLD}`,
        );
        const [req, ...more] = requestsAbout(fake, "w-first");
        assert.equal(more.length, 0);
        assert.equal(lastUserText(req!), question);
        assert.ok(
            req!.receivedAt - writtenAt >= IDLE,
            `the turn started ${req!.receivedAt - writtenAt} ms after the write, before the note was idle`,
        );
        // The reply the daemon wrote is a change on disk too: the watcher looks at it and starts no other turn.
        assert.match(await lookedAt(d, "Chats/From vim.md", 0), OWN);
        assert.equal(requestsAbout(fake, "w-first").length, 1);
        assert.equal(read("Chats/From vim.md"), text);
    });

    it("waits while a note is still being written (a change every 100 ms), then answers its final text", async () => {
        const name = "Chats/Slow writer.md";
        let text = "w-slow:";
        put(name, text);
        for (let i = 0; i < 10; i++) {
            await sleep(100);
            assert.equal(requestsAbout(fake, "w-slow").length, 0, `a turn started while the note was still changing (after ${i} changes)`);
            text += ` word${i}`;
            put(name, text);
        }
        const lastWrite = performance.now();
        await answered(name);
        const reqs = requestsAbout(fake, "w-slow");
        assert.equal(reqs.length, 1);
        assert.equal(lastUserText(reqs[0]!), text);
        assert.ok(reqs[0]!.receivedAt - lastWrite >= IDLE);
    });

    it("answers the next question another program appends, and the conversation carries on", async () => {
        const name = "Chats/Carry on.md";
        put(name, "w-carry one\n");
        const first = await answered(name);
        const looked = looksAt(d, name).length;
        put(name, `${first}w-carry two\n`);
        const second = await eventually(
            () => {
                const t = read(name);
                return t.length > first.length + 20 && t.endsWith(SCAFFOLD) && t;
            },
            5000,
            "the second reply",
        );
        assert.ok(second.startsWith(first));
        const reqs = requestsAbout(fake, "w-carry");
        assert.equal(reqs.length, 2);
        assert.equal(reqs[1]!.body.messages.length, 3);
        assert.equal(lastUserText(reqs[1]!), "w-carry two");
        assert.match(await lookedAt(d, name, looked), OWN);
        assert.equal(requestsAbout(fake, "w-carry").length, 2);
    });

    it("a failed turn's own write (the [!error] callout) starts no other turn", async () => {
        fake.enqueue({ status: 400, errorMessage: "w-fail refused by the model" });
        put("Chats/Fails.md", "w-fail please\n");
        const text = await eventually(
            () => read("Chats/Fails.md").includes("[!error]") && read("Chats/Fails.md"),
            5000,
            "the error callout",
        );
        assert.match(text, /> \[!error\] .*w-fail refused by the model/);
        assert.match(await lookedAt(d, "Chats/Fails.md", 0), OWN);
        assert.equal(requestsAbout(fake, "w-fail please").length, 1);
        assert.equal(read("Chats/Fails.md"), text);
    });

    it("a note the plugin sent (writer editor) gets no second turn from the editor's saves, early, partial or late", async () => {
        const name = "Chats/Plugin.md";
        const question = "w-plugin: sent from Obsidian\n";
        const heading = `${question.trimEnd()}\n\n### Assistant:\n\n`;
        fake.enqueue({ text: "An answer that takes a moment.", chunkSize: 4, chunkDelayMs: 30 });
        put(name, question); // Obsidian saves the note, and the plugin sends it:
        let final = "";
        const r = await stream(d, { filename: name, content: question, writer: "editor" }, (event) => {
            if (event.event === "delta" && !read(name).includes("### Assistant:")) put(name, heading); // an autosave mid-stream
            if (event.event === "done") final = (event.data as any).new_content;
        });
        assert.equal(r.terminal?.event, "done");
        put(name, heading); // an autosave of an earlier state landing after the turn: a reply with no text yet
        await sleep(1000); // the editor's own pace: it saves the whole reply a moment later
        put(name, final);
        // The note is held until AFTER_TURN_MS after the turn, then looked at once, as the editor left it.
        assert.deepEqual(looksAt(d, name), []);
        assert.equal(await lookedAt(d, name, 0, AFTER_TURN_MS + 10_000), "nothing to do (blank_user_turn)");
        assert.equal(looksAt(d, name).length, 1);
        assert.equal(requestsAbout(fake, "w-plugin").length, 1);
        assert.equal(read(name), final);
    });

    it("a note the plugin sent that the editor has not saved yet gets no second turn from the watcher", async () => {
        const question = "w-unsaved: sent from Obsidian\n";
        put("Chats/Unsaved.md", question);
        const r = await stream(d, { filename: "Chats/Unsaved.md", content: question, writer: "editor" });
        assert.equal(r.terminal?.event, "done");
        // Looked at once the hold after the turn ends: the text the turn started on counts as answered.
        assert.match(await lookedAt(d, "Chats/Unsaved.md", 0, AFTER_TURN_MS + 10_000), OWN);
        assert.equal(requestsAbout(fake, "w-unsaved").length, 1);
        assert.equal(read("Chats/Unsaved.md"), question, "the editor holds the reply; the daemon wrote nothing");
    });

    it("a note with nothing to do, bad frontmatter or bytes that are not UTF-8 changes nothing, and the watcher goes on", async () => {
        const nothing = "w-bad asked\n\n### Assistant:\n\nanswered\n\n### User:\n\n";
        const broken = "---\nagent: [assistant\n---\nw-bad frontmatter\n";
        const latin1 = Buffer.from("w-bad caf\xe9?\n", "latin1");
        put("Chats/Nothing.md", nothing);
        put("Chats/Broken.md", broken);
        put("Chats/Latin1.md", latin1);
        assert.equal(await lookedAt(d, "Chats/Nothing.md", 0), "nothing to do (blank_user_turn)");
        assert.match(await lookedAt(d, "Chats/Broken.md", 0), /^refused: .*frontmatter/);
        assert.match(await lookedAt(d, "Chats/Latin1.md", 0), /^refused: /);
        const looked = looksAt(d, "Chats/Broken.md").length;
        put("Chats/Broken.md", broken); // changed again, broken the same way: no second log line
        assert.match(await lookedAt(d, "Chats/Broken.md", looked), /^refused: .*frontmatter/);
        assert.equal(read("Chats/Nothing.md"), nothing);
        assert.equal(read("Chats/Broken.md"), broken);
        assert.deepEqual(readFileSync(file("Chats/Latin1.md")), latin1);
        assert.equal(requestsAbout(fake, "w-bad").length, 0);
        const warnings = logLines(d.stderr())
            .filter((l) => l.level === "warn" && l.msg.startsWith("watch:"))
            .map((l) => l.msg);
        assert.equal(warnings.filter((l) => l.includes("Chats/Broken.md")).length, 1, warnings.join("\n"));
        assert.match(
            warnings.find((l) => l.includes("Chats/Broken.md"))!,
            /frontmatter/,
        );
        assert.equal(warnings.filter((l) => l.includes("Chats/Latin1.md")).length, 1, warnings.join("\n"));
        assert.equal(warnings.filter((l) => l.includes("Chats/Nothing.md")).length, 0);
        put("Chats/After.md", "w-after still watching\n");
        await answered("Chats/After.md");
    });

    it("forgets a note deleted before it was idle, and follows one renamed inside the folder", async () => {
        put("Chats/Gone.md", "w-gone\n");
        await sleep(IDLE / 4);
        rmSync(file("Chats/Gone.md"));
        put("Chats/Old name.md", "w-renamed\n");
        await sleep(IDLE / 4);
        renameSync(file("Chats/Old name.md"), file("Chats/New name.md"));
        const text = await answered("Chats/New name.md");
        assert.match(text, /w-renamed\n\n### Assistant:/);
        // By the look at the reply, the forgotten notes' idle times are long over: nothing was started for them.
        assert.match(await lookedAt(d, "Chats/New name.md", 0), OWN);
        for (const name of ["Chats/Gone.md", "Chats/Old name.md"])
            assert.ok(
                looksAt(d, name).every((l) => l.found === "gone"),
                JSON.stringify(looksAt(d, name)),
            );
        assert.equal(requestsAbout(fake, "w-gone").length, 0);
        assert.equal(requestsAbout(fake, "w-renamed").length, 1);
        assert.throws(() => readFileSync(file("Chats/Gone.md")), /ENOENT/);
        assert.throws(() => readFileSync(file("Chats/Old name.md")), /ENOENT/);
    });

    it("picks up a chat folder created after the start", async () => {
        put("Later/Inbox/First.md", "w-later: in a folder that did not exist\n");
        const text = await answered("Later/Inbox/First.md");
        assert.match(text, /w-later: in a folder that did not exist\n\n### Assistant:\n\nFAKE\[n=1\] you said/);
        put("Later/Inbox/First.md", `${text}w-later again\n`);
        await eventually(
            () =>
                read("Later/Inbox/First.md").endsWith(
                    `w-later again${SCAFFOLD.slice(0, 2)}### Assistant:\n\nFAKE[n=3] you said: w-later again${SCAFFOLD}`,
                ),
            5000,
            "the second reply",
        );
        assert.equal(requestsAbout(fake, "w-later").length, 2);
    });

    it("stops answering a note that loops (another program answers every reply) after the ceiling", async () => {
        const name = "Chats/Loop.md";
        let appended = 0;
        const bot = setInterval(() => {
            const t = read(name);
            if (t.endsWith(SCAFFOLD)) put(name, `${t}w-loop again ${++appended}\n`);
        }, 20);
        try {
            put(name, "w-loop start\n");
            await eventually(() => d.stderr().includes("look like a loop"), 15_000, "the loop ceiling");
        } finally {
            clearInterval(bot);
        }
        // One more question after the ceiling: looked at, and left alone.
        const looked = looksAt(d, name).length;
        put(name, `${read(name)}w-loop after the ceiling\n`);
        assert.equal(await lookedAt(d, name, looked), "paused: over the loop ceiling");
        assert.equal(requestsAbout(fake, "w-loop").length, 10);
        assert.equal(d.stderr().split("look like a loop").length - 1, 1);
    });
});
