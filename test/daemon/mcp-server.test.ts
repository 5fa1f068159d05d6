/**
 * Lodge as an MCP server (docs/mcp.md), checked with clients no one here wrote: the SDK's own Client over
 * Streamable HTTP against the built daemon, and over stdio through `lodge mcp`.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { FakeLlm } from "../fakes/fake-llm";
import { call, stream } from "../helpers/client";
import { LODGE_BIN, startDaemon, type StartedDaemon, testEnv } from "../helpers/daemon";
import { cloneMemory, commitAndPush, createToken, gitLog, memoryConfig, writeFiles } from "../helpers/git-memory";

const SKILL = "---\nname: haiku\ndescription: Writes haiku.\n---\nCount five, seven, five syllables.\n";

describe("Lodge as an MCP server (docs/mcp.md)", function () {
    this.timeout(60_000);
    let fake: FakeLlm;
    let d: StartedDaemon;
    let full: string; // messages,memory
    let memoryOnly: string;
    const clients: Client[] = [];

    async function connect(token: string, path = "/v1/mcp"): Promise<Client> {
        const client = new Client({ name: "test", version: "1" });
        await client.connect(
            new StreamableHTTPClientTransport(new URL(path, d.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
        );
        clients.push(client);
        return client;
    }
    const names = async (client: Client): Promise<string[]> => (await client.listTools()).tools.map((t) => t.name);
    const text = (r: any): string => r.content.map((c: any) => c.text).join("");
    const memoryLog = (agent: string) => gitLog(join(d.data, "memory", `${agent}.git`));

    before(async () => {
        fake = await FakeLlm.start();
        const config = memoryConfig(fake);
        (config.agents as any).assistant.vault_tools = "read";
        config.context = { exclude: ["Private/"] };
        d = await startDaemon({ fake, config });
        full = createToken(d, "mcp-full", "messages,memory");
        memoryOnly = createToken(d, "mcp-memory", "memory");
        mkdirSync(join(d.vault, "Projects"), { recursive: true });
        mkdirSync(join(d.vault, "Private"), { recursive: true });
        writeFileSync(join(d.vault, "Projects", "alpha.md"), "# Alpha\nThe zebra budget is 42.\n");
        writeFileSync(join(d.vault, "Private", "diary.md"), "zebra secrets\n");
        const dir = await cloneMemory(d, createToken(d, "mcp-git"), "assistant");
        writeFiles(dir, { "skills/haiku/SKILL.md": SKILL });
        assert.equal((await commitAndPush(dir, "skill")).code, 0);
    });
    after(async () => {
        for (const c of clients) await c.close();
        await d.stop();
        await fake.close();
    });

    it("a messages token is shown the note and conversation tools only; a memory tool is refused", async () => {
        const client = await connect(d.token);
        assert.equal(client.getServerVersion()?.name, "lodge");
        assert.deepEqual(await names(client), ["search_notes", "read_note", "list_notes", "search_conversations", "get_conversation"]);
        await assert.rejects(
            client.callTool({
                name: "memory_replace",
                arguments: { agent: "assistant", label: "human", old_string: "a", new_string: "b" },
            }),
            /Unknown tool/,
        );
    });

    it("a memory token is shown the memory tools and load_skill, each with an agent argument", async () => {
        const client = await connect(memoryOnly);
        const { tools } = await client.listTools();
        assert.deepEqual(
            tools.map((t) => t.name),
            ["memory_replace", "memory_insert", "memory_rethink", "memory_create", "load_skill"],
        );
        for (const t of tools) assert.ok(t.inputSchema.required?.includes("agent"), t.name);
    });

    it("memory_replace and memory_create commit once each as the agent; mistakes are error results with no commit", async () => {
        const client = await connect(full);
        await client.callTool({ name: "memory_rethink", arguments: { agent: "assistant", label: "human", new_memory: "Name: Ada" } });
        const before = await memoryLog("assistant");
        const ok = await client.callTool({
            name: "memory_replace",
            arguments: { agent: "assistant", label: "human", old_string: "Ada", new_string: "Ada Lovelace" },
        });
        assert.equal(ok.isError, false, text(ok));
        const created = await client.callTool({
            name: "memory_create",
            arguments: { agent: "assistant", label: "projects/alpha", description: "Alpha", value: "zebra" },
        });
        assert.equal(created.isError, false, text(created));
        const log = await memoryLog("assistant");
        assert.deepEqual(log.slice(0, 2), [
            "assistant <assistant@lodge.local> memory_create: projects/alpha",
            "assistant <assistant@lodge.local> memory_replace: human",
        ]);
        assert.equal(log.length, before.length + 2);
        const miss = await client.callTool({
            name: "memory_replace",
            arguments: { agent: "assistant", label: "human", old_string: "Grace", new_string: "x" },
        });
        assert.equal(miss.isError, true);
        assert.match(text(miss), /did not appear verbatim/);
        const noAgent = await client.callTool({ name: "memory_rethink", arguments: { agent: "nobody", label: "human", new_memory: "x" } });
        assert.equal(noAgent.isError, true);
        assert.match(text(noAgent), /no agent named "nobody"/);
        const plain = await client.callTool({ name: "memory_rethink", arguments: { agent: "plain", label: "human", new_memory: "x" } });
        assert.match(text(plain), /memory: false/);
        assert.equal((await memoryLog("assistant")).length, before.length + 2);
        // The next turn's system prompt carries the edit.
        writeFileSync(join(d.vault, "Chats", "mem.md"), "Hi\n");
        await stream(d, { filename: "Chats/mem" });
        assert.match(JSON.stringify(fake.requests.at(-1)!.body.system), /Ada Lovelace/);
    });

    it("/v1/mcp/<agent> fixes the agent: no agent argument, and the edit lands in that agent's memory", async () => {
        const client = await connect(full, "/v1/mcp/gpt");
        const { tools } = await client.listTools();
        // gpt has vault_tools: off: its URL shows no vault tools.
        assert.deepEqual(
            tools.map((t) => t.name),
            [
                "search_conversations",
                "get_conversation",
                "memory_replace",
                "memory_insert",
                "memory_rethink",
                "memory_create",
                "load_skill",
            ],
        );
        for (const t of tools.filter((t) => t.name.startsWith("memory_") || t.name === "load_skill"))
            assert.ok(!("agent" in (t.inputSchema.properties ?? {})), t.name);
        const r = await client.callTool({ name: "memory_insert", arguments: { label: "persona", new_string: "I like tea." } });
        assert.equal(r.isError, false, text(r));
        assert.equal((await memoryLog("gpt"))[0], "gpt <gpt@lodge.local> memory_insert: persona");
        const plain = await connect(full, "/v1/mcp/plain");
        // plain: memory false and vault_tools off — only the conversation tools.
        assert.deepEqual(await names(plain), ["search_conversations", "get_conversation"]);
    });

    it("load_skill answers the skill's body; an unknown skill is an error listing the skills", async () => {
        const client = await connect(full, "/v1/mcp/assistant");
        const r = await client.callTool({ name: "load_skill", arguments: { name: "haiku" } });
        assert.equal(text(r), "Count five, seven, five syllables.");
        const bad = await client.callTool({ name: "load_skill", arguments: { name: "sonnet" } });
        assert.equal(bad.isError, true);
        assert.match(text(bad), /available skills = haiku/);
    });

    it("the vault tools keep context.exclude: an excluded note is never found, listed or read", async () => {
        const client = await connect(d.token);
        const found = text(await client.callTool({ name: "search_notes", arguments: { query: "zebra" } }));
        for (let i = 0; i < 50 && /still being built/.test(found); i++) await new Promise((r) => setTimeout(r, 100));
        const hits = text(await client.callTool({ name: "search_notes", arguments: { query: "zebra" } }));
        assert.match(hits, /Projects\/alpha\.md/);
        assert.doesNotMatch(hits, /diary/);
        assert.doesNotMatch(text(await client.callTool({ name: "list_notes", arguments: {} })), /diary/);
        const read = await client.callTool({ name: "read_note", arguments: { path: "Private/diary.md" } });
        assert.equal(read.isError, true);
        assert.match(text(read), /excluded/);
        assert.match(text(await client.callTool({ name: "read_note", arguments: { path: "Projects/alpha.md" } })), /zebra budget/);
    });

    it("search_conversations takes §8's filters and get_conversation gives the messages", async () => {
        writeFileSync(join(d.vault, "Chats", "giraffe talk.md"), "Tell me about giraffes\n");
        const turn = await stream(d, { filename: "Chats/giraffe talk" });
        const id = (turn.terminal!.data as any).conversation_id;
        const client = await connect(d.token);
        const page = JSON.parse(text(await client.callTool({ name: "search_conversations", arguments: { q: "giraffes", limit: 5 } })));
        assert.deepEqual(
            page.items.map((c: any) => c.id),
            [id],
        );
        assert.equal(page.items[0].title, "giraffe talk");
        const none = JSON.parse(
            text(await client.callTool({ name: "search_conversations", arguments: { title__contains: "giraffe", agent: "gpt" } })),
        );
        assert.deepEqual(none.items, []);
        const bad = await client.callTool({ name: "search_conversations", arguments: { limit: 500 } });
        assert.equal(bad.isError, true);
        const conversation = JSON.parse(text(await client.callTool({ name: "get_conversation", arguments: { id } })));
        assert.equal(conversation.messages[0].content[0].text.trim(), "Tell me about giraffes");
    });

    it("the same guards as every route: no token 401, a foreign Host 403, an unknown agent 404", async () => {
        const init = {
            jsonrpc: "2.0",
            id: 1,
            method: "initialize",
            params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } },
        };
        const headers = { accept: "application/json, text/event-stream" };
        assert.equal((await call(d, "/v1/mcp", { body: init, token: null, headers })).status, 401);
        const git = createToken(d, "mcp-admin-only", "admin");
        assert.equal((await call(d, "/v1/mcp", { body: init, token: git, headers })).status, 403);
        const unknown = await call(d, "/v1/mcp/nobody", { body: init, headers });
        assert.equal(unknown.status, 404);
        assert.equal(unknown.body.error.code, "unknown_agent");
        const status = await new Promise<number>((resolve, reject) => {
            const req = request(
                `${d.url}/v1/mcp`,
                {
                    method: "POST",
                    headers: { ...headers, host: "evil.example", authorization: `Bearer ${d.token}`, "content-type": "application/json" },
                },
                (res) => {
                    res.resume();
                    resolve(res.statusCode!);
                },
            );
            req.on("error", reject);
            req.end(JSON.stringify(init));
        });
        assert.equal(status, 403);
    });

    it("lodge mcp bridges stdio to the daemon: the SDK's stdio client lists and calls the tools", async () => {
        const client = new Client({ name: "stdio-test", version: "1" });
        await client.connect(
            new StdioClientTransport({
                command: process.execPath,
                args: [LODGE_BIN, "mcp", "--data", d.data, "--agent", "assistant"],
                env: testEnv() as Record<string, string>,
                stderr: "pipe",
            }),
        );
        clients.push(client);
        assert.deepEqual(await names(client), [
            "search_notes",
            "read_note",
            "list_notes",
            "search_conversations",
            "get_conversation",
            "memory_replace",
            "memory_insert",
            "memory_rethink",
            "memory_create",
            "load_skill",
        ]);
        const r = await client.callTool({ name: "memory_insert", arguments: { label: "persona", new_string: "Bridged." } });
        assert.equal(r.isError, false, text(r));
        assert.equal((await memoryLog("assistant"))[0], "assistant <assistant@lodge.local> memory_insert: persona");
        assert.match(readFileSync(join(d.data, "mcp-token"), "utf8"), /^lodge_/);
    });
});
