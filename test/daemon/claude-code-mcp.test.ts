/**
 * Claude Code agents use Lodge's MCP server (docs/mcp.md): the real CLI, the built daemon, the FakeLlm
 * scripting the model's calls of `mcp__lodge__…` tools. The edit must land in the memory repository
 * as the agent's commit, show as a `[!tool]` callout, and the turn's token must die with the turn.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeLlm } from "../fakes/fake-llm";
import { stream } from "../helpers/client";
import { LODGE_BIN, ROOT, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { cloneMemory, commitAndPush, createToken, gitLog, writeFiles } from "../helpers/git-memory";
import { offlineClaudeEnv } from "../helpers/claude-code-env";

const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");

function tokenNames(data: string): string[] {
    const out = execFileSync(process.execPath, [LODGE_BIN, "token", "list", "--json", "--data", data], { encoding: "utf8" });
    return (JSON.parse(out) as { tokens: Array<{ name: string }> }).tokens.map((t) => t.name);
}

describe("Claude Code agents use Lodge's MCP server (docs/mcp.md)", function () {
    this.timeout(60_000);
    let fake: FakeLlm;
    let d: StartedDaemon;
    let home: string;

    function config(): Record<string, unknown> {
        return {
            default_agent: "coder",
            agents: {
                coder: {
                    backend: "claude-code",
                    claude_path: CLAUDE,
                    memory: true,
                    vault_tools: "off",
                    request_timeout_ms: 20_000,
                    mcp_servers: {
                        everything: {
                            command: process.execPath,
                            args: [join(ROOT, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js")],
                        },
                    },
                    env: offlineClaudeEnv(fake, home),
                },
            },
        };
    }
    const note = (name: string): string => join(d.vault, "Chats", `${name}.md`);
    const modelRequests = () => fake.requests.filter((r) => r.api === "anthropic");

    before(async () => {
        fake = await FakeLlm.start();
        home = scratch("lodge-ccmcp-home-");
        d = await startDaemon({ fake, config: config() });
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        const dir = await cloneMemory(d, createToken(d, "ccmcp-git"), "coder");
        writeFiles(dir, {
            "human.md": "---\ndescription: The human.\n---\nName: Ada\n",
            "skills/haiku/SKILL.md": "---\nname: haiku\ndescription: Writes haiku.\n---\nFive, seven, five.\n",
        });
        assert.equal((await commitAndPush(dir, "seed")).code, 0);
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    it("the model's mcp__lodge__memory_replace commits as the agent and shows as a [!tool] callout", async () => {
        fake.enqueue(
            {
                toolCalls: [
                    { name: "mcp__lodge__memory_replace", input: { label: "human", old_string: "Ada", new_string: "Ada Lovelace" } },
                ],
            },
            { text: "Noted your full name." },
        );
        writeFileSync(note("remember"), "My name is Ada Lovelace.\n");
        const first = modelRequests().length;
        const r = await stream(d, { filename: "Chats/remember" });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal ?? r.body));
        const sent = modelRequests().slice(first);
        const offered = (sent[0]!.body.tools as Array<{ name: string }>).map((t) => t.name).filter((n) => n.startsWith("mcp__lodge__"));
        assert.deepEqual(offered.sort(), [
            "mcp__lodge__get_conversation",
            "mcp__lodge__load_skill",
            "mcp__lodge__memory_create",
            "mcp__lodge__memory_insert",
            "mcp__lodge__memory_replace",
            "mcp__lodge__memory_rethink",
            "mcp__lodge__search_conversations",
        ]);
        const result = JSON.stringify(sent[1]!.body.messages.at(-1));
        assert.match(result, /has been edited/, "the tool ran (not denied): its result went back to the model");
        assert.equal((await gitLog(join(d.data, "memory", "coder.git")))[0], "coder <coder@lodge.local> memory_replace: human");
        const text = readFileSync(note("remember"), "utf8");
        assert.match(text, /> \[!tool\]- mcp__lodge__memory_replace human\n> edited block human/);
        assert.match(text, /Noted your full name\./);
        assert.deepEqual(
            tokenNames(d.data).filter((n) => n.startsWith("claude-code-turn-")),
            [],
            "the turn's token is revoked at its end",
        );
    });

    it("the agent's own mcp_servers reach Claude Code through --mcp-config, allowed", async () => {
        fake.enqueue({ toolCalls: [{ name: "mcp__everything__echo", input: { message: "through claude" } }] }, { text: "Echoed." });
        writeFileSync(note("echo"), "Echo something.\n");
        const first = modelRequests().length;
        const r = await stream(d, { filename: "Chats/echo" });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal));
        assert.match(JSON.stringify(modelRequests().slice(first)[1]!.body.messages.at(-1)), /Echo: through claude/);
        assert.match(readFileSync(note("echo"), "utf8"), /> \[!tool\]- mcp__everything__echo through claude/);
    });

    it("load_skill through MCP answers the skill's body", async () => {
        fake.enqueue({ toolCalls: [{ name: "mcp__lodge__load_skill", input: { name: "haiku" } }] }, { text: "Loaded." });
        writeFileSync(note("skill"), "Write me a haiku.\n");
        const first = modelRequests().length;
        const r = await stream(d, { filename: "Chats/skill" });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal));
        assert.match(JSON.stringify(modelRequests().slice(first)[1]!.body.messages.at(-1)), /Five, seven, five\./);
    });

    it("a failed turn revokes its token too; a token left by a daemon that died is revoked at the next start", async () => {
        fake.enqueue({ status: 400, errorMessage: "bad request from the fake" });
        writeFileSync(note("fails"), "This will fail.\n");
        const r = await stream(d, { filename: "Chats/fails" });
        assert.equal(r.terminal?.event, "error");
        assert.deepEqual(
            tokenNames(d.data).filter((n) => n.startsWith("claude-code-turn-")),
            [],
        );
        await d.stop();
        execFileSync(process.execPath, [LODGE_BIN, "token", "create", "claude-code-turn-left0ver", "--data", d.data]);
        d = await startDaemon({ fake, config: config(), vault: d.vault, data: d.data });
        assert.deepEqual(
            tokenNames(d.data).filter((n) => n.startsWith("claude-code-turn-")),
            [],
        );
    });
});
