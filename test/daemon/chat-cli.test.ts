import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../helpers/client";
import { LODGE_BIN, scratch, startDaemon, testEnv, type StartedDaemon } from "../helpers/daemon";

interface Run {
    code: number | null;
    out: string;
    err: string;
    /** ms from spawn to the first stdout byte, and to the exit. */
    firstOut: number;
    exit: number;
}

function chat(args: string[], stdin?: string): Promise<Run> {
    return new Promise((resolve) => {
        const t0 = Date.now();
        const child = spawn(process.execPath, [LODGE_BIN, "chat", ...args], { env: testEnv(), stdio: ["pipe", "pipe", "pipe"] });
        let out = "";
        let err = "";
        let firstOut = -1;
        child.stdout.setEncoding("utf8").on("data", (s: string) => {
            if (firstOut < 0) firstOut = Date.now() - t0;
            out += s;
        });
        child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
        child.stdin.end(stdin ?? "");
        child.once("close", (code) => resolve({ code, out, err, firstOut, exit: Date.now() - t0 }));
    });
}

describe("lodge chat (docs/frontends.md)", function () {
    this.timeout(60_000);
    let d: StartedDaemon;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stop();
    });

    const logDir = (): string => join(d.vault, "Chats", "Logged");
    const logNote = (title: string): string => {
        const name = readdirSync(logDir()).find((f) => f.endsWith(` ${title}.md`));
        assert.ok(name, `a log note for "${title}"`);
        return readFileSync(join(logDir(), name), "utf8");
    };

    it("streams the reply to stdout as it arrives and logs the conversation as a chat note", async () => {
        d.fake.enqueue({ chunks: ["The answer ", "is ", "forty-two."], chunkDelayMs: 400 });
        const r = await chat(["What is the answer?", "--data", d.data]);
        assert.equal(r.code, 0, r.err);
        assert.equal(r.out, "The answer is forty-two.\n");
        assert.doesNotMatch(r.out, /\x1b\[/, "no ANSI on a pipe");
        assert.ok(r.exit - r.firstOut >= 500, `the first words came ${r.exit - r.firstOut} ms before the end`);
        const note = logNote("What is the answer");
        const id = /conversation_id: (\S+)/.exec(note)![1];
        assert.equal(
            note,
            `---\nagent: assistant\nconversation_id: ${id}\nfrontend: cli\n---\nWhat is the answer?\n\n### Assistant:\n\nThe answer is forty-two.\n\n### User:\n\n`,
        );
    });

    it("continues the last conversation with --continue, and reads - from standard input", async () => {
        d.fake.enqueue({ text: "Blue." }, { text: "Because of Rayleigh scattering." });
        assert.equal((await chat(["What colour is the sky?", "--data", d.data])).code, 0);
        const r = await chat(["-", "--continue", "--data", d.data], "Why is that?\n");
        assert.equal(r.code, 0, r.err);
        assert.equal(r.out, "Because of Rayleigh scattering.\n");
        assert.deepEqual(
            d.fake.requests.at(-1)!.body.messages.map((m: any) => m.content[0].text),
            ["What colour is the sky?", "Blue.", "Why is that?"],
        );
        assert.match(
            logNote("What colour is the sky"),
            /\nWhat colour is the sky\?\n\n### Assistant:\n\nBlue\.\n\n### User:\n\nWhy is that\?\n\n### Assistant:\n\nBecause of Rayleigh scattering\.\n\n### User:\n\n$/,
        );
        assert.equal(readdirSync(logDir()).filter((f) => f.includes("colour")).length, 1);
    });

    it("--note adds the message as a user turn to a vault note and answers it as a save would", async () => {
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        writeFileSync(
            join(d.vault, "Chats", "plan.md"),
            "---\ntags: [work]\n---\nPlan my day.\n\n### Assistant:\n\nStart early.\n\n### User:\n\n",
        );
        d.fake.enqueue({ text: "Then rest." });
        const r = await chat(["And after lunch?", "--note", "Chats/plan.md", "--json", "--data", d.data]);
        assert.equal(r.code, 0, r.err);
        const answer = JSON.parse(r.out);
        assert.equal(answer.status, "ok");
        assert.equal(answer.reply, "Then rest.");
        assert.equal(answer.note, "Chats/plan.md");
        const disk = readFileSync(join(d.vault, "Chats", "plan.md"), "utf8");
        assert.equal(
            disk,
            `---\ntags: [work]\nagent: assistant\nconversation_id: ${answer.conversation_id}\n---\nPlan my day.\n\n### Assistant:\n\nStart early.\n\n### User:\n\nAnd after lunch?\n\n### Assistant:\n\nThen rest.\n\n### User:\n\n`,
        );
    });

    it("exits 1 with the daemon's message, and says how to start a daemon when none runs", async () => {
        const r = await chat(["hi", "--agent", "nobody", "--data", d.data]);
        assert.equal(r.code, 1);
        assert.match(r.err, /no agent named "nobody"/);
        const none = await chat(["hi", "--data", scratch()]);
        assert.equal(none.code, 1);
        assert.match(none.err, /no Lodge daemon is running .*lodge start/);
    });

    it("opens a prompt loop on a terminal: each line a turn of one conversation, Ctrl+C stops a reply, Ctrl+D ends", async function () {
        // `script` gives the command a terminal of its own (util-linux).
        if (!existsSync("/usr/bin/script")) this.skip();
        d.fake.enqueue({ text: "Loop reply." }, { chunks: ["Slow ", "one ", "two ", "three"], chunkDelayMs: 500 });
        const child = spawn("script", ["-qfec", `${process.execPath} ${LODGE_BIN} chat --data ${d.data}`, "/dev/null"], {
            env: testEnv(),
            stdio: ["pipe", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
        const prompts = (n: number): Promise<unknown> => eventually(() => (out.match(/you> /g) ?? []).length >= n, 10_000, `prompt ${n}`);
        await prompts(1);
        child.stdin.write("Loop question\r");
        await prompts(2);
        assert.match(out, /Loop reply\.\r?\n/);
        child.stdin.write("Second question\r");
        await eventually(() => out.includes("Slow"), 10_000, "the slow reply");
        child.stdin.write("\x03");
        await prompts(3);
        assert.match(out, /\[stopped\]/);
        child.stdin.write("\x04");
        const code = await new Promise((resolve) => child.once("close", resolve));
        assert.equal(code, 0);
        const note = logNote("Loop question");
        assert.match(
            note,
            /\nLoop question\n\n### Assistant:\n\nLoop reply\.\n\n### User:\n\nSecond question\n\n### Assistant:\n\nSlow\n\n> \[!warning\]- stopped\n\n### User:\n\n$/,
        );
    });

    it("makes its own token when the plugin's is gone", async () => {
        const pluginToken = join(d.data, "plugin-token");
        const saved = readFileSync(pluginToken, "utf8");
        rmSync(pluginToken);
        try {
            d.fake.enqueue({ text: "Still here." });
            const r = await chat(["Token check", "--data", d.data]);
            assert.equal(r.code, 0, r.err);
            assert.equal(r.out, "Still here.\n");
            assert.ok(existsSync(join(d.data, "cli-token")));
            assert.equal(statSync(join(d.data, "cli-token")).mode & 0o777, 0o600);
        } finally {
            writeFileSync(pluginToken, saved);
        }
    });
});
