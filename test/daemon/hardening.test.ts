/** Faults a hostile test found (issue 9) in the note side of the daemon: each is a test that failed before its fix. */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultConfig, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { call, stream } from "../helpers/client";
import { FakeLlm } from "../fakes/fake-llm";
import { ConfigError, validateConfig } from "../../daemon/config";

describe("hardening (issue 9)", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: defaultConfig(fake) });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    it("refuses a note with 100k frontmatter keys quickly, and /healthz answers meanwhile", async function () {
        this.timeout(10_000);
        const note = `---\n${Array.from({ length: 100_000 }, (_, i) => `k${i}: v`).join("\n")}\n---\nhello\n`;
        writeFileSync(join(d.vault, "many-keys.md"), note);
        const start = performance.now();
        const turn = stream(d, { filename: "many-keys" }).then((r) => ({ r, ms: performance.now() - start }));
        const health: number[] = [];
        let finished = false;
        void turn.then(() => (finished = true));
        while (!finished && health.length < 20) {
            const t = performance.now();
            const h = await fetch(`${d.url}/healthz`, { signal: AbortSignal.timeout(2000) });
            assert.equal(h.status, 200);
            health.push(performance.now() - t);
        }
        const { r, ms } = await turn;
        assert.equal(r.status, 400);
        assert.equal(r.body.error.code, "invalid_frontmatter");
        assert.match(r.body.error.message, /64 KB/);
        assert.ok(ms < 1000, `refused in ${Math.round(ms)} ms`);
        assert.ok(Math.max(...health) < 500, `/healthz took up to ${Math.round(Math.max(...health))} ms`);
        assert.equal(readFileSync(join(d.vault, "many-keys.md"), "utf8"), note, "the note is untouched");
        assert.equal(fake.requests.length, 0);
        console.log(`      100k-key frontmatter refused in ${Math.round(ms)} ms over HTTP`);
    });

    describe("agent names that are Object.prototype's keys are unknown agents", () => {
        for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
            for (const via of ["body", "frontmatter"] as const) {
                it(`${name} through the ${via}: 404 unknown_agent, the note untouched`, async () => {
                    const file = `agent-${name}-${via}`;
                    const note = via === "frontmatter" ? `---\nagent: ${name}\n---\nhello\n` : "hello\n";
                    writeFileSync(join(d.vault, `${file}.md`), note);
                    const before = fake.requests.length;
                    for (const route of ["/v1/chat", "/v1/chat/stream"]) {
                        const r = await call(d, route, { body: { filename: file, ...(via === "body" && { agent: name }) } });
                        assert.equal(r.status, 404, `${route}: ${JSON.stringify(r.body)}`);
                        assert.equal(r.body.error.code, "unknown_agent");
                        assert.match(r.body.error.message, /assistant, gpt/);
                    }
                    assert.equal(readFileSync(join(d.vault, `${file}.md`), "utf8"), note);
                    assert.equal(fake.requests.length, before);
                });
            }
        }

        it('config: default_agent "constructor" is not one of the agents', () => {
            for (const name of ["constructor", "toString", "__proto__"]) {
                assert.throws(
                    () => validateConfig({ default_agent: name, agents: { a: { backend: "anthropic" } } }, "config.yaml"),
                    (err: unknown) => {
                        assert.ok(err instanceof ConfigError);
                        assert.match(err.message, /default_agent: ".+" is not one of the agents/);
                        return true;
                    },
                );
            }
            const config = validateConfig({ agents: { a: { backend: "anthropic" } } }, "config.yaml");
            assert.equal(Object.hasOwn(config.agents, "constructor") || "constructor" in config.agents, false);
        });
    });

    it("POST /v1/chat/cancel with a body that is not an object with filename: 400 bad_request naming filename", async () => {
        for (const body of ["null", "[]", '"x"', "{}", "42", '{"filename":7}']) {
            const r = await call(d, "/v1/chat/cancel", { body });
            assert.equal(r.status, 400, `${body}: ${JSON.stringify(r.body)}`);
            assert.equal(r.body.error.code, "bad_request", body);
            assert.match(r.body.error.message, /filename/, body);
        }
        const ok = await call(d, "/v1/chat/cancel", { body: { filename: "nothing-running" } });
        assert.deepEqual([ok.status, ok.body], [200, { cancelled: false }]);
    });

    describe("note names of 255 bytes (the longest ext4 allows) are written atomically", () => {
        for (const [what, stem] of [
            ["ASCII", "n".repeat(252)],
            ["2-byte UTF-8", "é".repeat(126)],
            ["3-byte UTF-8", "日".repeat(84)],
            ["4-byte UTF-8", "🦊".repeat(63)],
            ["mixed, cut inside a character", `ab${"日".repeat(83)}c`],
        ] as const) {
            it(`${what}: the reply is in the note, no temporary file is left`, async () => {
                const name = `${stem}.md`;
                assert.ok(Buffer.byteLength(name) === 255 || what.startsWith("mixed"), `${Buffer.byteLength(name)} bytes`);
                mkdirSync(join(d.vault, "long"), { recursive: true });
                writeFileSync(join(d.vault, "long", name), "long names?\n");
                fake.enqueue({ text: "Long names work." });
                const r = await stream(d, { filename: `long/${stem}` });
                assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal?.data));
                assert.equal(
                    readFileSync(join(d.vault, "long", name), "utf8").replace(/^---[\s\S]*?---\n/, ""),
                    "long names?\n\n### Assistant:\n\nLong names work.\n\n### User:\n\n",
                );
                assert.deepEqual(
                    readdirSync(join(d.vault, "long")).filter((f) => f.endsWith(".tmp")),
                    [],
                );
            });
        }

        it("the shortened temporary name is still one the start-up cleanup removes", async () => {
            const { tempName } = await import("../../daemon/vault/vault");
            for (const stem of ["n".repeat(252), "🦊".repeat(63), "short"]) {
                const temp = tempName(`${stem}.md`);
                assert.ok(Buffer.byteLength(temp) <= 255, `${Buffer.byteLength(temp)} bytes`);
                assert.match(temp, /^\..+\.[0-9a-f]{12}\.tmp$/);
                assert.ok(!temp.includes("\ufffd"));
                if (stem === "short") assert.match(temp, /^\.short\.md\.[0-9a-f]{12}\.tmp$/);
                else assert.ok(temp.startsWith(`.${stem.slice(0, 20)}`), "recognisable: it starts with the note's name");
            }
        });
    });

    it("a daemon killed before the backend answered leaves no empty conversation behind after its restart", async function () {
        this.timeout(30_000);
        const own = await FakeLlm.start();
        let daemon = await startDaemon({ fake: own, config: defaultConfig(own) });
        try {
            writeFileSync(join(daemon.vault, "killed.md"), "Are you there?\n");
            own.enqueue({ hang: true });
            const turn = stream(daemon, { filename: "killed" }).catch(() => null);
            await own.waitForRequests(1);
            const during = await call(daemon, "/v1/conversations/count");
            await daemon.kill();
            await turn;
            daemon = await startDaemon({ fake: own, config: defaultConfig(own), vault: daemon.vault, data: daemon.data });
            const after = await call(daemon, "/v1/conversations/count");
            assert.equal(after.status, 200);
            assert.equal(
                after.body.count,
                0,
                `before the kill: ${JSON.stringify(during.body)}, after the restart: ${JSON.stringify(after.body)}`,
            );
            const list = await call(daemon, "/v1/conversations");
            assert.deepEqual(list.body.data ?? list.body.conversations ?? list.body, [], JSON.stringify(list.body));
        } finally {
            await daemon.stop();
            await own.close();
        }
    });
});
