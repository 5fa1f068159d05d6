/**
 * CONTRIBUTING.md, docs/mcp.md: an MCP `memory_replace` over `/v1/mcp` on a repository of 1,000 blocks, commit
 * included, ≤ 100 ms median (the SDK's own client against the built daemon); and the cost of one MCP
 * client tool call from the daemon's side (its McpConnection) to a stdio echo server
 * (`server-everything`), ≤ 10 ms median round trip.
 */
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpConnection } from "../daemon/mcp/client";
import { FakeLlm } from "../test/fakes/fake-llm";
import { ROOT, scratch, startDaemon } from "../test/helpers/daemon";
import { cloneMemory, commitAndPush, createToken, gitLog, memoryConfig, writeFiles } from "../test/helpers/git-memory";
import type { BenchRow } from "./report";

const BLOCKS = 1000;
const ROUNDS = 21;

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
}

async function memoryReplace(): Promise<BenchRow> {
    const fake = await FakeLlm.start();
    const d = await startDaemon({ fake, config: memoryConfig(fake) });
    const client = new Client({ name: "bench", version: "1" });
    try {
        const token = createToken(d, "bench-mcp", "messages,memory");
        const dir = await cloneMemory(d, token);
        const files: Record<string, string> = {};
        for (let i = 0; i < BLOCKS; i++)
            files[`topics/t${i % 20}/block-${i}.md`] = `---\ndescription: Block ${i}\n---\nFact ${i}: state A.\n`;
        writeFiles(dir, files);
        const pushed = await commitAndPush(dir, "a thousand blocks");
        if (pushed.code !== 0) throw new Error(pushed.stderr);
        await client.connect(
            new StreamableHTTPClientTransport(new URL("/v1/mcp/assistant", d.url), {
                requestInit: { headers: { Authorization: `Bearer ${token}` } },
            }),
        );
        const times: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
            const [from, to] = round % 2 === 0 ? ["state A", "state B"] : ["state B", "state A"];
            const start = performance.now();
            const r = await client.callTool({
                name: "memory_replace",
                arguments: { label: "topics/t7/block-7", old_string: from, new_string: to },
            });
            times.push(performance.now() - start);
            if (r.isError) throw new Error(JSON.stringify(r.content));
        }
        const commits = (await gitLog(join(d.data, "memory", "assistant.git"))).filter((l) =>
            l.includes("memory_replace: topics/t7/block-7"),
        ).length;
        if (commits !== ROUNDS) throw new Error(`${commits} commits for ${ROUNDS} edits`);
        return {
            name: `MCP memory_replace over /v1/mcp, ${BLOCKS} blocks, commit included (median of ${ROUNDS})`,
            value: Math.round(median(times)),
            unit: "ms",
            budget: 100,
            note: `max ${Math.round(Math.max(...times))} ms`,
        };
    } finally {
        await client.close();
        await d.stop();
        await fake.close();
    }
}

async function clientCall(): Promise<BenchRow> {
    const everything = join(ROOT, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
    const connection = new McpConnection(
        "everything",
        { command: process.execPath, args: [everything] },
        { env: process.env, vault: scratch("lodge-bench-mcp-") },
    );
    try {
        await connection.listTools();
        const times: number[] = [];
        for (let i = 0; i < 101; i++) {
            const start = performance.now();
            const answer = await connection.call("echo", { message: `ping ${i}` });
            times.push(performance.now() - start);
            if (answer.isError || !answer.content.includes(`ping ${i}`)) throw new Error(answer.content);
        }
        return {
            name: "MCP client tool call to a stdio echo server, round trip (median of 101)",
            value: Number(median(times).toFixed(2)),
            unit: "ms",
            budget: 10,
            note: `max ${Math.max(...times).toFixed(1)} ms`,
        };
    } finally {
        await connection.close();
    }
}

export async function run(): Promise<BenchRow[]> {
    return [await memoryReplace(), await clientCall()];
}
