import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDaemon } from "../helpers/daemon";
import { sleep, stream } from "../helpers/client";
import { FakeLlm } from "../fakes/fake-llm";
import { rng } from "../helpers/random";
import { integrity } from "../helpers/integrity";

describe("crashes and shutdown", () => {
    // A fresh fake per test: a round killed before its request leaves its reply queued.
    let fake: FakeLlm;
    beforeEach(async () => {
        fake = await FakeLlm.start();
    });
    afterEach(() => fake.close());

    it("kill -9 at any moment leaves each note as it was or with a whole reply; the database passes integrity_check; restart works", async () => {
        const random = rng(42);
        const body = `${"A long note line that makes the write take a moment.\n".repeat(20_000)}What now?\n`;
        const first = await startDaemon({ fake });
        const { vault, data } = first;
        let daemon = first;
        for (let round = 0; round < 6; round++) {
            const name = `crash${round}`;
            writeFileSync(join(vault, `${name}.md`), body);
            fake.enqueue({ text: "The whole reply, written at once or not at all.", chunkSize: 6, chunkDelayMs: 3 });
            const turn = stream(daemon, { filename: name }).catch(() => null);
            await sleep(Math.floor(random() * 120));
            await daemon.kill();
            await turn;
            const text = readFileSync(join(vault, `${name}.md`), "utf8");
            const whole = text.endsWith("What now?\n\n### Assistant:\n\nThe whole reply, written at once or not at all.\n\n### User:\n\n");
            assert.ok(
                text === body || whole,
                `round ${round}: a half-written note (${text.length} chars, ends ${JSON.stringify(text.slice(-80))})`,
            );
            assert.equal(await integrity(data), "ok");
            // A temporary file a crash might leave behind.
            writeFileSync(join(vault, `.${name}.md.0123456789ab.tmp`), "stale");
            daemon = await startDaemon({ fake, vault, data });
            assert.deepEqual(
                readdirSync(vault).filter((f) => f.endsWith(".tmp")),
                [],
                "stale temporary files are removed at start",
            );
        }
        writeFileSync(join(vault, "after.md"), "still working?");
        const r = await stream(daemon, { filename: "after" });
        assert.equal(r.terminal!.event, "done");
        assert.equal(await daemon.stop(), 0);
        assert.equal(await integrity(data), "ok");
    });

    it("SIGTERM lets a short turn finish, writes it, and exits 0", async () => {
        const d = await startDaemon({ fake });
        writeFileSync(join(d.vault, "short.md"), "quick one");
        fake.enqueue({ text: "finished before shutdown", chunkSize: 4, chunkDelayMs: 40 });
        const turn = stream(d, { filename: "short" });
        await sleep(100);
        const code = d.stop();
        const r = await turn;
        assert.equal(await code, 0);
        assert.equal((r.terminal!.data as any).status, "ok");
        assert.ok(readFileSync(join(d.vault, "short.md"), "utf8").endsWith("finished before shutdown\n\n### User:\n\n"));
        assert.equal(existsSync(join(d.data, "daemon.json")), false);
    });

    it("SIGTERM stops a long turn within 5 s, writing what arrived with the stopped warning", async function () {
        this.timeout(15_000);
        const d = await startDaemon({ fake });
        writeFileSync(join(d.vault, "long.md"), "a long one");
        fake.enqueue({ text: "word ".repeat(400), chunkSize: 5, chunkDelayMs: 50 });
        const turn = stream(d, { filename: "long" });
        await sleep(300);
        const began = Date.now();
        const code = await d.stop();
        const r = await turn;
        assert.equal(code, 0);
        assert.ok(Date.now() - began < 5000, `took ${Date.now() - began} ms`);
        assert.equal((r.terminal!.data as any).status, "cancelled");
        const text = readFileSync(join(d.vault, "long.md"), "utf8");
        assert.match(text, /### Assistant:\n\nword word .*\n\n> \[!warning\]- stopped\n\n### User:\n\n$/s);
        assert.equal(await integrity(d.data), "ok");
    });
});
