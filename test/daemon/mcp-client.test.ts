/**
 * Lodge as an MCP client (docs/mcp.md): agents' `mcp_servers` through the built daemon, with real servers
 * no one here wrote (`server-everything`'s echo, `server-filesystem`) and a misbehaving one written
 * here (hangs, dies, floods its output), the FakeLlm scripting the model's tool calls.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeLlm } from "../fakes/fake-llm";
import { call, stream } from "../helpers/client";
import YAML from "yaml";
import { lodge } from "../helpers/cli";
import { ROOT, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";

const EVERYTHING = join(ROOT, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
const FILESYSTEM = join(ROOT, "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");
const SDK = join(ROOT, "node_modules", "@modelcontextprotocol", "sdk", "dist", "cjs");
const SECRET = "sk-mcp-env-secret-0123456789";

/** A stdio MCP server that misbehaves on request. */
const FLAKY = `
const { Server } = require(${JSON.stringify(join(SDK, "server", "index.js"))});
const { StdioServerTransport } = require(${JSON.stringify(join(SDK, "server", "stdio.js"))});
const { ListToolsRequestSchema, CallToolRequestSchema } = require(${JSON.stringify(join(SDK, "types.js"))});
const server = new Server({ name: "flaky", version: "1" }, { capabilities: { tools: {} } });
const tool = (name) => ({ name, description: name, inputSchema: { type: "object", properties: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: ["pid", "hang", "die", "flood"].map(tool) }));
server.setRequestHandler(CallToolRequestSchema, (req) => {
    const name = req.params.name;
    if (name === "pid") return { content: [{ type: "text", text: String(process.pid) }] };
    if (name === "die") process.exit(3);
    if (name === "flood") {
        const junk = "x".repeat(64 * 1024);
        const spew = () => { process.stdout.write(junk); process.stderr.write(junk); setImmediate(spew); };
        spew();
    }
    return new Promise(() => {});
});
server.connect(new StdioServerTransport());
`;

function processesWith(marker: string): Promise<number[]> {
    return new Promise((resolve, reject) => {
        execFile("ps", ["-A", "-o", "pid=,args="], (err: Error | null, stdout) => {
            if (err) return reject(err);
            resolve(
                stdout
                    .split("\n")
                    .filter((l) => l.includes(marker) && !l.includes("ps -A"))
                    .map((l) => Number(l.trim().split(/\s+/)[0])),
            );
        });
    });
}

describe("Lodge as an MCP client (docs/mcp.md)", function () {
    this.timeout(60_000);
    let fake: FakeLlm;
    let d: StartedDaemon;
    let docs: string;
    const marker = `lodge-mcp-flaky-${process.pid}-${Date.now()}`;
    let n = 0;

    /** Runs a turn whose first model reply calls `tool` with `input`; answers the tool result the model got. */
    async function toolTurn(tool: string, input: unknown): Promise<{ result: any; note: string; done: any; ms: number }> {
        fake.enqueue({ toolCalls: [{ name: tool, input }] }, { text: "Done." });
        const name = `Chats/tool-${++n}`;
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        writeFileSync(join(d.vault, `${name}.md`), `Use ${tool}\n`);
        const first = fake.requests.length;
        const started = Date.now();
        const r = await stream(d, { filename: name });
        const ms = Date.now() - started;
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal ?? r.body));
        const second = fake.requests.slice(first).filter((q) => q.api === "anthropic")[1]!;
        const result = second.body.messages.at(-1).content.find((b: any) => b.type === "tool_result");
        return { result, note: readFileSync(join(d.vault, `${name}.md`), "utf8"), done: r.terminal.data, ms };
    }
    const resultText = (result: any): string =>
        typeof result.content === "string" ? result.content : result.content.map((c: any) => c.text).join("");

    before(async () => {
        fake = await FakeLlm.start();
        const root = scratch("lodge-mcp-client-");
        docs = join(root, "docs");
        mkdirSync(docs);
        writeFileSync(join(docs, "plan.txt"), "The plan: ship MCP.\n");
        const flaky = join(root, "flaky.cjs");
        writeFileSync(flaky, FLAKY);
        d = await startDaemon({
            fake,
            config: {
                default_agent: "assistant",
                agents: {
                    assistant: {
                        backend: "anthropic",
                        model: "claude-test",
                        base_url: fake.url,
                        api_key_env: "LODGE_TEST_KEY",
                        memory: false,
                        vault_tools: "off",
                        mcp_servers: {
                            everything: { command: process.execPath, args: [EVERYTHING], env: { EVERYTHING_KEY: SECRET } },
                            files: { command: process.execPath, args: [FILESYSTEM, docs] },
                            // Through sh, as npx runs the real server as its child: stopping must reach it too.
                            flaky: {
                                command: "sh",
                                args: ["-c", `"${process.execPath}" "${flaky}" ${marker}; true`],
                                tool_timeout_ms: 3000,
                            },
                        },
                    },
                },
            },
        });
    });
    after(async () => {
        if (d.child.exitCode === null) await d.stop();
        await fake.close();
    });

    it("the agent is offered NAME__tool from each server, and GET /v1/agents lists them", async () => {
        const agents = await call(d, "/v1/agents");
        const tools: string[] = agents.body.agents[0].tools;
        for (const t of ["everything__echo", "files__read_text_file", "flaky__pid"])
            assert.ok(tools.includes(t), `${t} in ${tools.join(", ")}`);
    });

    it("server-everything's echo: the call runs, its result goes to the model, the history and a [!tool] callout", async () => {
        const { result, note, done } = await toolTurn("everything__echo", { message: "hello over MCP" });
        assert.equal(result.is_error ?? false, false);
        assert.match(resultText(result), /Echo: hello over MCP/);
        assert.match(note, /> \[!tool\]- everything__echo hello over MCP\n> Echo: hello over MCP/);
        const conversation = await call(d, `/v1/conversations/${done.conversation_id}`);
        const blocks = conversation.body.messages.flatMap((m: any) => m.content);
        assert.ok(blocks.some((b: any) => b.type === "tool_use" && b.name === "everything__echo"));
        assert.ok(blocks.some((b: any) => b.type === "tool_result" && JSON.stringify(b.content).includes("Echo: hello over MCP")));
        const offered = fake.requests
            .filter((q) => q.api === "anthropic")
            .at(-2)!
            .body.tools.map((t: any) => t.name);
        assert.ok(offered.includes("files__list_directory") && offered.includes("everything__echo"));
    });

    it("server-filesystem reads a file in its folder and refuses one outside it, as an error result", async () => {
        const ok = await toolTurn("files__read_text_file", { path: join(docs, "plan.txt") });
        assert.match(resultText(ok.result), /The plan: ship MCP\./);
        const outside = await toolTurn("files__read_text_file", { path: "/etc/hostname" });
        assert.equal(outside.result.is_error, true);
    });

    it("a tool the server did not list is an error result, never a call", async () => {
        const { result } = await toolTurn("everything__no_such_tool", {});
        assert.equal(result.is_error, true);
        assert.match(resultText(result), /no tool named everything__no_such_tool/);
    });

    it("a call past tool_timeout_ms is an error result and the turn goes on; so is a server that floods its output", async () => {
        const hang = await toolTurn("flaky__hang", {});
        assert.equal(hang.result.is_error, true);
        assert.match(resultText(hang.result), /did not answer within 3000 ms/);
        assert.ok(hang.ms < 9000, `the turn took ${hang.ms} ms`);
        assert.match(hang.note, /Done\./);
        const flood = await toolTurn("flaky__flood", {});
        assert.equal(flood.result.is_error, true);
        assert.ok(flood.ms < 12000, `the turn took ${flood.ms} ms`);
    });

    it("a server that died starts again at the next call", async () => {
        const first = Number(resultText((await toolTurn("flaky__pid", {})).result));
        assert.ok(first > 0);
        const died = await toolTurn("flaky__die", {});
        assert.equal(died.result.is_error, true);
        const second = Number(resultText((await toolTurn("flaky__pid", {})).result));
        assert.ok(second > 0 && second !== first, `${first} then ${second}`);
    });

    it("env values never reach the log; shutdown stops every server, the grandchildren too", async () => {
        assert.ok((await processesWith(marker)).length > 0, "the flaky server runs");
        assert.equal(await d.stop(), 0);
        assert.ok(!d.stdout().includes(SECRET) && !d.stderr().includes(SECRET));
        assert.deepEqual(await processesWith(marker), [], "no MCP server outlives the daemon");
    });

    it("lodge doctor starts each server and lists its tools; one that cannot start is a problem", async () => {
        const dir = scratch("lodge-mcp-doctor-");
        writeFileSync(
            join(dir, "config.yaml"),
            YAML.stringify({
                agents: {
                    a: {
                        backend: "anthropic",
                        base_url: "http://127.0.0.1:9",
                        mcp_servers: {
                            everything: { command: process.execPath, args: [EVERYTHING] },
                            broken: { command: "/nonexistent/server" },
                        },
                    },
                },
            }),
        );
        const r = await lodge(["doctor", "--data", dir, "--config", join(dir, "config.yaml"), "--json"]);
        const checks = JSON.parse(r.out).checks as Array<{ name: string; status: string; detail: string }>;
        const everything = checks.find((c) => c.name === "agent a: MCP server everything")!;
        assert.equal(everything.status, "ok");
        assert.match(everything.detail, /everything__echo/);
        assert.equal(checks.find((c) => c.name === "agent a: MCP server broken")!.status, "problem");
        assert.equal(r.code, 1);
    });

    it("a bad mcp_servers entry stops start-up naming the key and what is wrong", async () => {
        const dir = scratch("lodge-mcp-config-");
        writeFileSync(
            join(dir, "config.yaml"),
            YAML.stringify({
                agents: {
                    a: {
                        backend: "anthropic",
                        mcp_servers: {
                            lodge: { command: "x" },
                            both: { command: "x", url: "http://127.0.0.1:1/mcp" },
                            bad__name: { url: "ftp://x" },
                        },
                    },
                },
            }),
        );
        const r = await lodge(["start", "--port", "0", "--data", dir, "--vault", join(dir, "vault"), "--config", join(dir, "config.yaml")]);
        assert.equal(r.code, 1);
        assert.match(r.err, /agents\.a\.mcp_servers\.lodge: "lodge" is Lodge's own MCP server's name/);
        assert.match(r.err, /agents\.a\.mcp_servers\.both: give either command .* or url/);
        assert.match(r.err, /agents\.a\.mcp_servers\.bad__name: server names use/);
        assert.match(r.err, /agents\.a\.mcp_servers\.bad__name\.url: must be an http/);
    });
});
