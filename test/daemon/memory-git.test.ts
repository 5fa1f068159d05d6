import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";
import { call, stream } from "../helpers/client";
import { FakeLlm } from "../fakes/fake-llm";
import {
    cloneMemory,
    commitAndPush,
    createToken,
    gitCli,
    gitInput,
    gitLog,
    gitOk,
    memoryConfig,
    memoryUrl,
    remoteLines,
    writeFiles,
} from "../helpers/git-memory";

const SYSTEM = "You are a helpful assistant living in the user's notes.";
const HUMAN_DESCRIPTION =
    "The human block: Stores key details about the person you are conversing with, allowing for more personalized and friend-like conversation.";

/** The element Letta's layout gives one block (reference/memory-and-conversations.md §1.3). */
function element(label: string, description: string, value: string, limit = 20000, readOnly = false): string {
    const chars = [...value].length;
    return `<${label}>\n<description>\n${description}\n</description>\n<metadata>\n${readOnly ? "- read_only=true\n" : ""}- chars_current=${chars}\n- chars_limit=${limit}\n</metadata>\n<value>\n${value}\n</value>\n</${label}>`;
}

describe("agent memory over git", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    let token: string;
    let turnNo = 0;

    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: memoryConfig(fake) });
        token = createToken(d, "git");
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    /** Runs one turn of `agent` and returns the system prompt its backend request carried. */
    async function turnSystem(agent = "assistant"): Promise<string> {
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        const file = `Chats/memory-${++turnNo}`;
        writeFileSync(join(d.vault, `${file}.md`), `---\nagent: ${agent}\n---\nHello?\n`);
        fake.enqueue({ text: "Hi." });
        const r = await stream(d, { filename: file });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal));
        return fake.requests.at(-1)!.body.system as string;
    }

    it("clones a new agent's memory: main with described persona.md and human.md, first committed by lodge", async () => {
        const dir = await cloneMemory(d, token, "gpt");
        assert.equal((await gitOk(dir, ["branch", "--show-current"])).trim(), "main");
        assert.deepEqual((await gitOk(dir, ["ls-files"])).trim().split("\n"), ["human.md", "persona.md"]);
        assert.equal(readFileSync(join(dir, "human.md"), "utf8"), `---\ndescription: "${HUMAN_DESCRIPTION}"\n---\n`);
        assert.match(
            readFileSync(join(dir, "persona.md"), "utf8"),
            /^---\ndescription: "The persona block: Stores details about your current persona/,
        );
        assert.deepEqual(await gitLog(dir), ["lodge <lodge@lodge.local> lodge: new memory"]);
    });

    it("is done: clone, change who the agent is, push, and the very next turn's system prompt carries it", async () => {
        const dir = await cloneMemory(d, token);
        const persona = readFileSync(join(dir, "persona.md"), "utf8");
        writeFiles(dir, { "persona.md": `${persona}I am Wren, a terse ship's navigator.\nI answer in nautical terms.\n` });
        const pushed = await commitAndPush(dir, "who I am");
        assert.equal(pushed.code, 0, pushed.stderr);
        assert.match(pushed.stderr, /main -> main/);
        const system = await turnSystem();
        const personaDescription = /description: "(.*)"/.exec(persona)![1]!;
        assert.equal(
            system,
            `${SYSTEM}\n\n<memory_blocks>\nThe following memory blocks are currently engaged in your core memory unit:\n\n` +
                `${element("human", HUMAN_DESCRIPTION, "")}\n\n` +
                `${element("persona", personaDescription, "I am Wren, a terse ship's navigator.\nI answer in nautical terms.")}\n\n</memory_blocks>`,
        );
    });

    it("adds nested blocks by label, detaches deleted ones, and re-attaches a file added back", async () => {
        const dir = await cloneMemory(d, token);
        writeFiles(dir, {
            "projects/alpha.md":
                "---\ndescription: The alpha project\nlimit: 500\nread_only: true\nmetadata:\n  owner: pat\n---\nAlpha ships in May.\n",
            "notes.txt": "not a block\n",
            "skills/search/SKILL.md": "---\nname: search\n---\nnot a block either\n",
        });
        assert.equal((await commitAndPush(dir, "alpha")).code, 0);
        let system = await turnSystem();
        assert.ok(system.includes(element("projects/alpha", "The alpha project", "Alpha ships in May.", 500, true)), system);
        assert.ok(!system.includes("not a block"));
        assert.ok(!system.includes("<skills/search"));

        await gitOk(dir, ["rm", "--quiet", "human.md"]);
        assert.equal((await commitAndPush(dir, "forget the human")).code, 0);
        system = await turnSystem();
        assert.ok(!system.includes("<human>"), "a deleted block leaves the prompt");
        assert.ok(system.includes("<persona>") && system.includes("<projects/alpha>"));

        writeFiles(dir, { "human.md": "---\ndescription: The person\n---\nPat, who sails.\n" });
        assert.equal((await commitAndPush(dir, "the human again")).code, 0);
        system = await turnSystem();
        assert.ok(system.includes(element("human", "The person", "Pat, who sails.")), system);
    });

    it("syncs a force push that rewrites history to exactly the new tree", async () => {
        const dir = await cloneMemory(d, token);
        const first = (await gitOk(dir, ["rev-list", "--max-parents=0", "HEAD"])).trim();
        await gitOk(dir, ["reset", "--quiet", "--hard", first]);
        writeFiles(dir, { "fresh/start.md": "---\ndescription: A clean slate\n---\nStarting over.\n" });
        await gitOk(dir, ["add", "-A"]);
        await gitOk(dir, ["commit", "--quiet", "-m", "start over"]);
        const forced = await gitCli(dir, ["push", "--force", "origin", "main"]);
        assert.equal(forced.code, 0, forced.stderr);
        assert.match(forced.stderr, /\+ [0-9a-f]+\.\.\.[0-9a-f]+ main -> main \(forced update\)/);
        const system = await turnSystem();
        const labels = [...system.matchAll(/^<([^/>][^>]*)>$/gm)]
            .map((m) => m[1])
            .filter((l) => !["memory_blocks", "description", "metadata", "value"].includes(l!));
        assert.deepEqual(labels, ["fresh/start", "human", "persona"]);
        assert.ok(system.includes("<value>\n\n</value>\n</persona>"), "persona is back to its first, empty value");
    });

    it("refuses a push with one remote: line per problem, and changes nothing", async () => {
        const dir = await cloneMemory(d, token);
        const before = await turnSystem();
        writeFiles(dir, {
            "persona.md": "---\ndescription: [unclosed\n---\nI am someone else.\n",
            "big.md": `---\nlimit: 10\n---\n${"x".repeat(11)}\n`,
            "latin1.md": Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
            "odd.md": "---\ncolour: blue\n---\nhello\n",
            "fine.md": "---\ndescription: would be fine\n---\nfine\n",
        });
        const r = await commitAndPush(dir, "several mistakes");
        assert.notEqual(r.code, 0);
        const lines = remoteLines(r.stderr);
        assert.equal(lines.length, 5, r.stderr);
        assert.equal(lines[0], "big.md: the value is 11 characters, over its limit of 10");
        assert.equal(lines[1], "latin1.md: the file is not UTF-8 text");
        assert.equal(lines[2], 'odd.md: unknown frontmatter key "colour" (a block knows description, limit, read_only, metadata)');
        assert.match(lines[3]!, /^persona\.md: frontmatter is not valid YAML: /);
        assert.equal(lines[4], "push refused: 4 problems; nothing was changed");
        assert.match(r.stderr, /! \[remote rejected\] main -> main \(pre-receive hook declined\)/);

        const fresh = await cloneMemory(d, token);
        assert.ok(!existsSync(join(fresh, "fine.md")), "nothing of a refused push lands");
        assert.equal(await turnSystem(), before);
    });

    it("refuses pushes to other branches, deleting main, and pushes that bypass the daemon", async () => {
        const dir = await cloneMemory(d, token);
        writeFiles(dir, { "side.md": "side\n" });
        await gitOk(dir, ["add", "-A"]);
        await gitOk(dir, ["commit", "--quiet", "-m", "side"]);
        let r = await gitCli(dir, ["push", "origin", "HEAD:refs/heads/side"]);
        assert.deepEqual(remoteLines(r.stderr), [
            "refs/heads/side: only the main branch is kept here; push to main",
            "push refused: 1 problem; nothing was changed",
        ]);
        r = await gitCli(dir, ["push", "origin", ":main"]);
        assert.deepEqual(remoteLines(r.stderr).slice(0, 1), ["refs/heads/main: main cannot be deleted"]);
        r = await gitCli(dir, ["push", join(d.data, "memory", "assistant.git"), "HEAD:main"]);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /remote: lodge: push through the daemon/);
        assert.ok(!(await gitOk(await cloneMemory(d, token), ["ls-files"])).includes("side.md"));
    });

    it("accepts big pushes sent chunked and fetches whose request body git gzips, over protocol v2", async () => {
        const dir = await cloneMemory(d, token);
        // Over http.postBuffer (1 MiB): git sends it with Transfer-Encoding: chunked and no Content-Length.
        writeFiles(dir, { "attachments/blob.bin": randomBytes(3 * 1024 * 1024) });
        const big = await commitAndPush(dir, "a large attachment");
        assert.equal(big.code, 0, big.stderr);
        // Local commits the server lacks, dated after everything else so they are offered first, make
        // the fetch's "have" list pass 1 KB after the first round, and git gzips such request bodies.
        const commits = Array.from(
            { length: 40 },
            (_, i) =>
                `commit refs/heads/main\ncommitter Pat <pat@example.test> ${3786912000 + i} +0000\ndata 8\nlocal ${String(i).padStart(2, "0")}\n`,
        );
        const tip = (await gitOk(dir, ["rev-parse", "HEAD"])).trim();
        await gitInput(dir, ["fast-import", "--quiet", "--force"], `reset refs/heads/main\nfrom ${tip}\n\n${commits.join("\n")}`);
        const other = await cloneMemory(d, token);
        writeFiles(other, { "persona.md": "---\ndescription: p\n---\nfetched\n" });
        assert.equal((await commitAndPush(other, "from elsewhere")).code, 0);
        const fetched = await gitCli(dir, ["fetch", "origin"], { GIT_TRACE_CURL: "1", GIT_TRACE_CURL_NO_DATA: "1" });
        assert.equal(fetched.code, 0, fetched.stderr);
        assert.match(fetched.stderr, /Content-Encoding: gzip/i);
        assert.match(fetched.stderr, /Git-Protocol: version=2/i);
        assert.equal((await gitOk(dir, ["show", "origin/main:persona.md"])).split("\n").at(-2), "fetched");
    });

    describe("credentials", () => {
        it('a clone without credentials fails fast: 401 with WWW-Authenticate: Basic realm="lodge"', async () => {
            const r = await gitCli(d.data, ["clone", memoryUrl(d, "assistant"), join(d.data, "nocreds")]);
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /could not read Username/);
            const raw = await fetch(`${memoryUrl(d, "assistant")}/info/refs?service=git-upload-pack`);
            assert.equal(raw.status, 401);
            assert.equal(raw.headers.get("www-authenticate"), 'Basic realm="lodge"');
            assert.equal((await raw.json()).error.code, "unauthorized");
        });

        it("refuses a wrong token, and a token without the memory scope gets 403", async () => {
            const wrong = await gitCli(d.data, [
                "clone",
                memoryUrl(d, "assistant", "lodge_wrong-token-000000000000000000"),
                join(d.data, "wrong"),
            ]);
            assert.match(wrong.stderr, /Authentication failed/);
            const messagesOnly = createToken(d, "chat-only", "messages");
            const r = await gitCli(d.data, ["clone", memoryUrl(d, "assistant", messagesOnly), join(d.data, "forbidden")]);
            assert.match(r.stderr, /403/);
            const raw = await call({ url: d.url, token: "" }, "/v1/git/assistant/state.git/info/refs?service=git-upload-pack", {
                token: null,
                headers: { authorization: `Basic ${Buffer.from(`x:${messagesOnly}`).toString("base64")}` },
            });
            assert.equal(raw.status, 403);
            assert.equal(raw.body.error.code, "forbidden");
        });

        it("answers 404 for an agent that is not configured and creates no repository", async () => {
            const r = await gitCli(d.data, ["clone", memoryUrl(d, "nobody", token), join(d.data, "nobody")]);
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /not found/);
            assert.ok(!existsSync(join(d.data, "memory", "nobody.git")));
            const raw = await call({ url: d.url, token }, "/v1/git/nobody/state.git/info/refs?service=git-upload-pack", {
                token: null,
                headers: { authorization: `Bearer ${token}` },
            });
            assert.equal(raw.status, 404);
            assert.equal(raw.body.error.code, "not_found");
        });
    });

    it("leaves the prompt alone for agents without memory", async () => {
        assert.equal(await turnSystem("plain"), SYSTEM);
        assert.equal(fake.requests.at(-1)!.body.tools, undefined);
    });

    it("after a restart, catches the blocks up with commits main gained while the daemon was down", async () => {
        const repo = join(d.data, "memory", "assistant.git");
        const dir = await cloneMemory(d, token);
        await d.stop();
        writeFiles(dir, { "persona.md": "---\ndescription: p\n---\nWritten while the daemon was down.\n" });
        await gitOk(dir, ["add", "-A"]);
        await gitOk(dir, ["commit", "--quiet", "-m", "offline"]);
        // A fetch into the bare repository runs no hook: as if the daemon died between git and its sync.
        await gitOk(dir, ["--git-dir", repo, "fetch", "--quiet", dir, "+main:refs/heads/main"]);
        d = await startDaemon({ fake, config: memoryConfig(fake), data: d.data, vault: d.vault });
        assert.ok((await turnSystem()).includes("<value>\nWritten while the daemon was down.\n</value>"));
    });
});
