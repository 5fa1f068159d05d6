/**
 * Issue 9's kill -9 torture (SPEC §11): the daemon is killed at random moments of every write path,
 * then restarted on the same data folder and vault. After each kill every note is as it was or holds a
 * complete or partial reply, the database passes `PRAGMA integrity_check`, every memory repository
 * passes `git fsck`; after each start no temporary file is left and the daemon answers.
 * `npm run torture`; replay a run with LODGE_TORTURE_SEED (printed), LODGE_TORTURE_ROUNDS (default 35).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FakeLlm } from "../fakes/fake-llm";
import { call, sleep } from "../helpers/client";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";
import { cloneMemory, createToken, gitCli } from "../helpers/git-memory";
import { rng } from "../helpers/random";
import { replyProblem, snapshot, tempFiles } from "./note-check";
import { answer, KINDS, type Kind, type Op, Ops } from "./ops";
import { integrity } from "../helpers/integrity";

const SEED = Number(process.env.LODGE_TORTURE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ROUNDS = Number(process.env.LODGE_TORTURE_ROUNDS ?? 35);

/** `git fsck` of each agent's memory repository; the problems, or [] when every one passes. */
async function fsckProblems(data: string): Promise<string[]> {
    const dir = join(data, "memory");
    const problems: string[] = [];
    for (const repo of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".git")) : []) {
        const r = await gitCli(join(dir, repo), ["fsck", "--full", "--no-progress"]);
        if (r.code !== 0) problems.push(`${repo}: ${r.stderr.trim()}`);
    }
    return problems;
}

/** Lock files git leaves when a process holding them dies: they would refuse every later push and agent edit. */
function gitLocks(data: string): string[] {
    const dir = join(data, "memory");
    if (!existsSync(dir)) return [];
    return [...snapshot(dir).keys()].filter((f) => f.endsWith(".lock"));
}

/** The vault's notes (temporary files aside). */
function notes(vault: string): Map<string, string> {
    return new Map([...snapshot(vault)].filter(([path]) => path.endsWith(".md") && tempFiles([path]).length === 0));
}

/**
 * Every note is what it was (`known`) or what a request's content made it, or one of those plus a
 * complete or partial reply. Returns the problems.
 */
function noteProblems(known: Map<string, string>, now: Map<string, string>, ops: Op[]): string[] {
    const problems: string[] = [];
    for (const path of new Set([...known.keys(), ...now.keys()])) {
        const text = now.get(path);
        const bases = [known.get(path), ...ops.filter((o) => o.note === path).map((o) => o.content)].filter(
            (b): b is string => b !== undefined,
        );
        if (text === undefined) {
            if (known.has(path)) problems.push(`${path}: the note disappeared`);
            continue;
        }
        if (bases.includes(text)) continue;
        const why = bases.map((b) => replyProblem(b, text));
        if (why.includes(null)) continue;
        problems.push(`${path}: ${why.join("; ") || "a note nobody wrote"} — ends ${JSON.stringify(text.slice(-160))}`);
        if (process.env.LODGE_TORTURE_DEBUG) console.log(JSON.stringify({ path, bases, text }, null, 1));
    }
    return problems;
}

describe("kill -9 torture (issue 9)", function () {
    this.timeout(240_000);
    let fake: FakeLlm;
    before(async () => {
        fake = await FakeLlm.start();
        fake.setDefault(answer);
        console.log(`    torture seed ${SEED} (replay: LODGE_TORTURE_SEED=${SEED} npm run torture), ${ROUNDS} rounds`);
    });
    after(() => fake.close());

    it("leaves every note whole or with one complete or partial reply, the database and memory repositories sound, and the next start working", async () => {
        const random = rng(SEED);
        const began = Date.now();
        const config = {
            default_agent: "assistant",
            agents: {
                assistant: {
                    backend: "anthropic",
                    model: "claude-test",
                    base_url: fake.url,
                    api_key_env: "LODGE_TEST_KEY",
                    memory: true,
                    vault_tools: "off",
                },
            },
            // chats.watch is left to its default (on).
            chats: { folders: ["Chats"], watch_idle_ms: 60, progress_ms: 15 },
        };
        let d: StartedDaemon = await startDaemon({ fake, config });
        const { vault, data } = d;
        const token = createToken(d, "torture", "memory");
        const ops = new Ops(vault, await cloneMemory(d, token), token, random);
        let known = notes(vault);

        // Each path once to its end, untimed by kills: how long it takes bounds the kill moments.
        const duration = {} as Record<Kind, number>;
        const whole = async (tag: string): Promise<void> => {
            for (const kind of KINDS) {
                const op = await ops.prepare(kind, d, `${tag}${kind}`, known);
                const t = Date.now();
                await op.start();
                duration[kind] = Date.now() - t;
                const now = notes(vault);
                assert.deepEqual(noteProblems(known, now, [op]), []);
                if (op.note) assert.ok(now.get(op.note)!.endsWith("\n\n### User:\n\n"), `${kind}: the reply is complete`);
                known = now;
            }
        };
        await whole("c");

        const rounds = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
        for (let round = 0; round < ROUNDS; round++) {
            // Every path in turn, and often a second one at the same time.
            const kinds: Kind[] = [KINDS[round % KINDS.length]!];
            if (random() < 0.5) {
                const other = KINDS[Math.floor(random() * KINDS.length)]!;
                if (other !== "push" || kinds[0] !== "push") kinds.push(other);
            }
            const running: Op[] = [];
            for (const [i, kind] of kinds.entries()) running.push(await ops.prepare(kind, d, `${round}-${i}`, known));
            for (const kind of kinds) rounds[kind]++;
            const delay = Math.floor(random() * 1.2 * Math.max(...kinds.map((k) => duration[k])));
            const finished = running.map((op) => op.start().catch(() => undefined));
            await sleep(delay);
            await d.kill();
            await Promise.all(finished);

            const label = `round ${round} (${kinds.join(" + ")}, kill after ${delay} ms; seed ${SEED})`;
            const now = notes(vault);
            assert.deepEqual(noteProblems(known, now, running), [], `${label}: notes`);
            known = now;
            assert.equal(await integrity(data), "ok", `${label}: PRAGMA integrity_check`);
            assert.deepEqual(await fsckProblems(data), [], `${label}: git fsck`);

            d = await startDaemon({ fake, config, vault, data });
            assert.deepEqual(tempFiles(snapshot(vault).keys()), [], `${label}: temporary files left after the next start`);
            assert.deepEqual(gitLocks(data), [], `${label}: git lock files left after the next start`);
            assert.equal((await call(d, "/healthz")).status, 200, `${label}: /healthz after the restart`);
        }

        // The last start works on every path, and shuts down cleanly.
        await whole("after");
        assert.equal(await d.stop(), 0);
        assert.equal(await integrity(data), "ok");
        assert.deepEqual(await fsckProblems(data), []);
        const seconds = ((Date.now() - began) / 1000).toFixed(1);
        const per = KINDS.map((k) => `${k} ${rounds[k]}`).join(", ");
        console.log(
            `    ${ROUNDS} kills in ${seconds} s; rounds per write path: ${per}; untimed durations (ms): ${JSON.stringify(duration)}`,
        );
    });
});
