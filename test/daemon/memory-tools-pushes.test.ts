/** The memory tools while a person pushes to the same repository: refused, abandoned and racing pushes. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { type StartedDaemon } from "../helpers/daemon";
import { cloneMemory, gitCli, gitLog, gitOk, writeFiles } from "../helpers/git-memory";
import { EDITED, memoryToolsWorld } from "../helpers/memory-tools";

describe("memory tools with pushes", () => {
    let d: StartedDaemon;
    let token: string;
    const { toolTurn } = memoryToolsWorld((world) => ({ d, token } = world));

    it("refuses a push prepared before an agent's edit as non-fast-forward; after a pull both changes are kept", async () => {
        const dir = await cloneMemory(d, token);
        writeFiles(dir, { "notes/ideas.md": "---\ndescription: Ideas\n---\nA tide clock.\n" });
        await gitOk(dir, ["add", "-A"]);
        await gitOk(dir, ["commit", "--quiet", "-m", "ideas"]);
        await toolTurn([{ name: "memory_insert", input: { label: "persona", new_string: "I keep a logbook." } }]);
        const refused = await gitCli(dir, ["push", "origin", "main"]);
        assert.notEqual(refused.code, 0);
        assert.match(refused.stderr, /! \[rejected\] +main -> main \(fetch first\)/);
        await gitOk(dir, ["pull", "--quiet", "--rebase", "origin", "main"]);
        const again = await gitCli(dir, ["push", "origin", "main"]);
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual((await gitLog(dir)).slice(0, 2), [
            "Pat Person <pat@example.test> ideas",
            "assistant <assistant@lodge.local> memory_insert: persona",
        ]);
        const system = (await toolTurn([])).system;
        assert.ok(system.includes("I keep a logbook.") && system.includes("<notes/ideas>"), system);
    });

    it("lets go of the repository when a pushing client hangs up mid-request", async () => {
        const auth = `Basic ${Buffer.from(`x:${token}`).toString("base64")}`;
        const req = request({
            host: "127.0.0.1",
            port: d.port,
            method: "POST",
            path: "/v1/git/assistant/state.git/git-receive-pack",
            headers: { authorization: auth, "content-type": "application/x-git-receive-pack-request", "transfer-encoding": "chunked" },
        });
        req.on("error", () => undefined);
        req.write("00a4"); // the start of a pkt-line, and then nothing more
        await new Promise((r) => setTimeout(r, 300));
        req.destroy();
        const started = Date.now();
        const turn = await toolTurn([{ name: "memory_insert", input: { label: "human", new_string: "Still here." } }]);
        assert.equal(turn.results[0]!.content, EDITED("human"));
        assert.ok(Date.now() - started < 5000, "the edit did not wait for the abandoned push");
    });

    it("never interleaves a push and an agent's edit that race: main and the prompt agree either way", async () => {
        for (let round = 0; round < 2; round++) {
            const dir = await cloneMemory(d, token);
            writeFiles(dir, { [`race/${round}.md`]: `---\ndescription: Race ${round}\n---\npushed ${round}\n` });
            await gitOk(dir, ["add", "-A"]);
            await gitOk(dir, ["commit", "--quiet", "-m", `race ${round}`]);
            const [push, turn] = await Promise.all([
                gitCli(dir, ["push", "origin", "main"]),
                toolTurn([{ name: "memory_insert", input: { label: "human", new_string: `edit ${round}` } }]),
            ]);
            assert.equal(turn.results[0]!.is_error, undefined, turn.results[0]!.content);
            if (push.code !== 0) assert.match(push.stderr, /fetch first|non-fast-forward|failed to update ref|cannot lock ref/);
            const fresh = await cloneMemory(d, token);
            const log = await gitLog(fresh);
            assert.ok(log.includes(`assistant <assistant@lodge.local> memory_insert: human`));
            assert.equal(log.includes(`Pat Person <pat@example.test> race ${round}`), push.code === 0);
            assert.ok(readFileSync(join(fresh, "human.md"), "utf8").includes(`edit ${round}`));
            const system = (await toolTurn([])).system;
            assert.ok(system.includes(`edit ${round}`));
            assert.equal(system.includes(`pushed ${round}`), push.code === 0);
        }
    });
});
