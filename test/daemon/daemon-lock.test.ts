/**
 * One daemon per data folder (docs/daemon.md), against the built daemon: a second start on the same data
 * folder exits 1 naming the running one and changes nothing of it; a daemon killed with SIGKILL
 * leaves no lock behind; of several starts at the same moment on a fresh folder exactly one runs.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FakeLlm } from "../fakes/fake-llm";
import { LODGE_BIN, scratch, startDaemon, testEnv } from "../helpers/daemon";

interface StartRun {
    child: ChildProcess;
    exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs `lodge start` on `data` (a refused start ends by itself; a started one runs until stopped). */
function runStart(data: string): StartRun {
    const vault = join(scratch("lodge-lock-vault-"), "vault");
    const child = spawn(process.execPath, [LODGE_BIN, "start", "--port", "0", "--vault", vault, "--data", data], {
        env: testEnv(),
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    return { child, exited: new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr }))) };
}

describe("one daemon per data folder (docs/daemon.md)", function () {
    this.timeout(60_000);
    let fake: FakeLlm;
    before(async () => (fake = await FakeLlm.start()));
    const stray: ChildProcess[] = [];
    after(async () => {
        for (const child of stray) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await fake.close();
    });

    it("a second start on the same data folder exits 1 naming the running daemon, which goes on untouched", async () => {
        const d = await startDaemon({ fake });
        try {
            const infoBefore = readFileSync(join(d.data, "daemon.json"), "utf8");
            const second = await runStart(d.data).exited;
            assert.equal(second.code, 1, second.stdout + second.stderr);
            assert.equal(second.stderr.trim(), `lodge: another Lodge daemon (pid ${d.child.pid}, ${d.url}) is using ${d.data}`);
            assert.equal(readFileSync(join(d.data, "daemon.json"), "utf8"), infoBefore, "daemon.json is the running daemon's still");
            assert.equal((await fetch(`${d.url}/healthz`)).status, 200);
        } finally {
            assert.equal(await d.stop(), 0);
        }
        assert.ok(!existsSync(join(d.data, "daemon.json")), "its owner removed daemon.json at exit");
    });

    it("a daemon killed with SIGKILL does not block the next start on its data folder", async () => {
        const first = await startDaemon({ fake });
        await first.kill();
        const again = await startDaemon({ fake, data: first.data, vault: first.vault });
        try {
            assert.equal((await fetch(`${again.url}/healthz`)).status, 200);
            const info = JSON.parse(readFileSync(join(first.data, "daemon.json"), "utf8"));
            assert.equal(info.pid, again.child.pid);
        } finally {
            await again.stop();
        }
    });

    it("of five starts at the same moment on a fresh data folder, exactly one runs; the others exit 1", async function () {
        const data = join(scratch("lodge-lock-"), "data");
        mkdirSync(data);
        const runs = [0, 1, 2, 3, 4].map(() => runStart(data));
        stray.push(...runs.map((r) => r.child));
        // Four are refused and end by themselves (a hang here fails by mocha's timeout); then the one that runs is stopped.
        let exits = 0;
        await new Promise<void>((resolve) => {
            for (const r of runs) void r.exited.then(() => ++exits === 4 && resolve());
        });
        for (const r of runs) if (r.child.exitCode === null) r.child.kill("SIGTERM");
        const results = await Promise.all(runs.map((r) => r.exited));
        const started = results.filter((r) => /listening on/.test(r.stdout));
        assert.equal(started.length, 1, results.map((r) => r.stdout + r.stderr).join("\n---\n"));
        assert.equal(started[0]!.code, 0, "the one that ran stopped cleanly");
        for (const r of results.filter((x) => x !== started[0])) {
            assert.equal(r.code, 1, r.stdout + r.stderr);
            assert.match(r.stderr, /^lodge: another Lodge daemon \(pid (\d+|unknown), [^)]+\) is using /);
        }
    });
});
