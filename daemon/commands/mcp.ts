/**
 * `lodge mcp [--agent A]` (docs/mcp.md): Lodge's MCP server for clients that only start stdio servers.
 * A bridge, message for message, between stdin/stdout and the running daemon's `/v1/mcp` (found
 * through `<data>/daemon.json`). The token: `--token`, else `LODGE_TOKEN`, else `<data>/mcp-token`,
 * made on first use with scopes `messages,memory` (0600) — the daemon's MCP tools need both.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { runningDaemon } from "../host-checks";
import { dataFiles, defaultDataDir } from "../paths";
import { withTokens } from "./tokens";

export interface McpCommandOptions {
    data?: string;
    agent?: string;
    token?: string;
    url?: string;
    env?: NodeJS.ProcessEnv;
}

const TOKEN_NAME = "mcp-stdio";

export async function mcpCommand(o: McpCommandOptions): Promise<void> {
    const env = o.env ?? process.env;
    const data = resolve(o.data ?? defaultDataDir(env));
    const files = dataFiles(data);
    const base = o.url ?? (await runningDaemon(files.daemonInfo))?.url;
    if (!base) throw new Error(`no Lodge daemon is running for ${data} (no daemon.json): start it with \`lodge start --data ${data}\``);
    const token = o.token ?? env.LODGE_TOKEN ?? (await storedToken(data));
    const path = o.agent === undefined ? "/v1/mcp" : `/v1/mcp/${encodeURIComponent(o.agent)}`;
    const http = new StreamableHTTPClientTransport(new URL(path, base), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
    const stdio = new StdioServerTransport();
    const failed = (message: JSONRPCMessage, err: unknown): void => {
        if (!("id" in message) || !("method" in message)) return;
        const text = err instanceof Error ? err.message : String(err);
        void stdio.send({ jsonrpc: "2.0", id: message.id, error: { code: -32000, message: `Lodge at ${base}: ${text}` } });
    };
    stdio.onmessage = (message) => void http.send(message).catch((err: unknown) => failed(message, err));
    http.onmessage = (message) => void stdio.send(message);
    http.onerror = (err) => process.stderr.write(`lodge mcp: ${err.message}\n`);
    await http.start();
    await new Promise<void>((done) => {
        stdio.onclose = () => done();
        process.stdin.once("end", () => done());
        void stdio.start();
    });
    await http.close();
}

/** `<data>/mcp-token`, or a new token with scopes messages,memory kept there when it is missing or revoked. */
async function storedToken(data: string): Promise<string> {
    const file = join(data, "mcp-token");
    const existing = (await readFile(file, "utf8").catch(() => "")).trim();
    return withTokens(data, async (tokens) => {
        if (existing && (await tokens.verify(existing))) return existing;
        const token = await tokens.create(TOKEN_NAME, ["messages", "memory"], true);
        await writeFile(file, `${token}\n`, { mode: 0o600 });
        await chmod(file, 0o600);
        return token;
    });
}
