/**
 * The daemon's log (docs/daemon.md, "Log"): JSON lines on standard error when it is not a terminal, each
 * with its level; `--log-level` hides what is less severe; secrets never reach a line.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { addSecret, createLogger } from "../../daemon/log";
import { FakeLlm } from "../fakes/fake-llm";
import { lodge } from "../helpers/cli";
import { call, eventually } from "../helpers/client";
import { defaultConfig, logLines as lines, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";

function captured(): { stream: Writable; text: () => string } {
    let text = "";
    const stream = new Writable({ write: (chunk: Buffer, _enc, done) => void ((text += chunk.toString("utf8")), done()) });
    return { stream, text: () => text };
}

describe("the log, in process", () => {
    it("writes one JSON object per line with a level name, a time and the message", () => {
        const out = captured();
        const log = createLogger({ destination: out.stream, level: "debug" });
        log.debug("d");
        log.info("i");
        log.warn("w");
        log.error("e");
        const got = lines(out.text());
        assert.deepEqual(
            got.map((l) => [l.level, l.msg]),
            [
                ["debug", "d"],
                ["info", "i"],
                ["warn", "w"],
                ["error", "e"],
            ],
        );
        for (const l of got) assert.ok(!Number.isNaN(Date.parse(l.time)), l.time);
    });

    it("blanks secrets in messages, in keys that carry them, and in logged errors", () => {
        addSecret("plain-secret-value-42");
        const out = captured();
        const log = createLogger({ destination: out.stream });
        log.warn("backend said: Authorization: Bearer abc.def and key plain-secret-value-42 and sk-abcdefghijkl");
        log.info({ headers: { authorization: "Bearer xyz" }, token: "lodge_0123456789abcdefghij", agent: "a" }, "request");
        log.error({ err: new Error("failed with plain-secret-value-42") }, "boom");
        const text = out.text();
        for (const secret of ["abc.def", "plain-secret-value-42", "sk-abcdefghijkl", "xyz", "lodge_0123456789abcdefghij"])
            assert.ok(!text.includes(secret), `${secret} in ${text}`);
        const [warned, keyed, errored] = lines(text);
        assert.match(warned!.msg, /Bearer \[redacted\] and key \[redacted\] and sk-\[redacted\]/);
        assert.equal(keyed!.headers, "[redacted]");
        assert.equal(keyed!.token, "[redacted]");
        assert.equal(keyed!.agent, "a");
        assert.match((errored!.err as { message: string }).message, /failed with \[redacted\]/);
    });
});

describe("the daemon's log on standard error", () => {
    let fake: FakeLlm;
    let d: StartedDaemon | undefined;
    before(async () => (fake = await FakeLlm.start()));
    after(() => fake.close());
    afterEach(async () => {
        await d?.stop();
        d = undefined;
    });

    /** A chat note the watcher refuses with a warning naming it: its name carries the agent's key. */
    async function startWithBrokenNote(secret: string, args: string[] = []): Promise<StartedDaemon> {
        const vault = join(scratch(), "vault");
        mkdirSync(join(vault, "Chats"), { recursive: true });
        const started = await startDaemon({
            fake,
            vault,
            args,
            env: { LODGE_TEST_KEY: secret },
            config: { ...defaultConfig(fake), chats: { watch_idle_ms: 100 } },
        });
        writeFileSync(join(vault, "Chats", `about ${secret}.md`), "---\nagent: [assistant\n---\nbroken frontmatter\n");
        return started;
    }

    it("is JSON lines with a level, and a key in a warning is redacted", async () => {
        d = await startWithBrokenNote("notes-key-0123456789");
        await eventually(() => d!.stderr().includes("frontmatter"), 10_000, "the watcher's warning");
        const got = lines(d.stderr());
        assert.ok(
            got.some((l) => l.level === "info" && /^vault index: /.test(l.msg)),
            d.stderr(),
        );
        const warning = got.find((l) => l.level === "warn" && l.msg.includes("frontmatter"));
        assert.ok(warning, d.stderr());
        assert.match(warning.msg, /about \[redacted\]\.md/);
        assert.ok(!d.stderr().includes("notes-key-0123456789"));
    });

    it("--log-level warn hides info lines and keeps warnings; debug shows each request", async () => {
        d = await startWithBrokenNote("notes-key-abcdefghij", ["--log-level", "warn"]);
        await eventually(() => d!.stderr().includes("frontmatter"), 10_000, "the watcher's warning");
        await call(d, "/v1/agents", { token: d.token });
        const got = lines(d.stderr());
        assert.deepEqual([...new Set(got.map((l) => l.level))], ["warn"], d.stderr());
        await d.stop();
        d = await startDaemon({ fake, args: ["--log-level", "debug"] });
        assert.equal((await call(d, "/v1/agents", { token: d.token })).status, 200);
        await eventually(
            () => lines(d!.stderr()).find((l) => l.level === "debug" && l.msg.startsWith("GET /v1/agents 200 in ")),
            5000,
            "the request line",
        );
    });

    it("refuses an unknown level, naming the levels", async () => {
        const r = await lodge(["start", "--log-level", "loud", "--data", scratch()]);
        assert.equal(r.code, 1);
        assert.match(r.err, /the log levels are debug, info, warn, error, silent/);
    });
});
