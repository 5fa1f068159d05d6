/**
 * One MCP server an agent uses (docs/mcp.md): started on first use and kept; a server that died is
 * started again at the next call; every call — the start included — ends within `tool_timeout_ms`,
 * and a call past it stops the server (the next call starts a fresh one). A call for a tool the
 * server did not list is refused without reaching it. Failures are answers, never throws.
 */
import { isAbsolute, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { DEFAULT_INHERITED_ENV_VARS } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, Tool as McpTool } from "@modelcontextprotocol/sdk/types.js";
import { DEFAULT_TOOL_TIMEOUT_MS, type McpServerConfig } from "../config";
import { VERSION } from "../version";
import { GroupStdioTransport } from "./stdio-transport";

/** A tool result longer than this is cut: it goes into the model's context. */
const MAX_RESULT_CHARS = 100_000;

export interface McpConnectionOptions {
    /** The daemon's environment: only the basics (PATH, HOME, …) reach a server, plus its own `env`. */
    env: NodeJS.ProcessEnv;
    /** Relative `cwd`s are inside the vault, which is also the default. */
    vault: string;
    /** The agent's `tool_timeout_ms`; the server's own wins. */
    timeoutMs?: number;
}

export interface CallAnswer {
    content: string;
    isError: boolean;
}

class Late extends Error {}

export class McpConnection {
    private client: Client | null = null;
    private transport: Transport | null = null;
    private starting: Promise<Client> | null = null;
    private tools: McpTool[] = [];
    readonly timeoutMs: number;

    constructor(
        readonly name: string,
        private readonly config: McpServerConfig,
        private readonly options: McpConnectionOptions,
    ) {
        this.timeoutMs = config.tool_timeout_ms ?? options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
    }

    /** The server's tools, starting it when it is not running. Throws when it cannot start in time. */
    async listTools(): Promise<McpTool[]> {
        await this.deadline(this.connect(), `did not start and list its tools within ${this.timeoutMs} ms`);
        return this.tools;
    }

    /** The tools from the last listing, without starting anything. */
    knownTools(): McpTool[] {
        return this.tools;
    }

    async call(tool: string, args: Record<string, unknown>): Promise<CallAnswer> {
        try {
            return await this.deadline(
                (async () => {
                    const client = await this.connect();
                    if (!this.tools.some((t) => t.name === tool)) {
                        return {
                            content: `MCP server ${this.name} has no tool "${tool}" (it lists ${this.tools.map((t) => t.name).join(", ") || "none"})`,
                            isError: true,
                        };
                    }
                    const result = (await client.callTool({ name: tool, arguments: args }, undefined, {
                        timeout: this.timeoutMs,
                    })) as CallToolResult;
                    return { content: resultText(result), isError: result.isError === true };
                })(),
                `did not answer within ${this.timeoutMs} ms (tool_timeout_ms); it was stopped and starts again at the next call`,
            );
        } catch (err) {
            return { content: `MCP server ${this.name}: ${this.reason(err)}`, isError: true };
        }
    }

    private reason(err: unknown): string {
        const stderr = this.transport instanceof GroupStdioTransport ? this.transport.stderr : "";
        const said = stderr ? `; it said: ${stderr.split("\n").slice(-3).join(" ").slice(0, 300)}` : "";
        return `${err instanceof Error ? err.message : String(err)}${said}`;
    }

    /** `work`, or a Late error after the timeout — which also stops the server. */
    private async deadline<T>(work: Promise<T>, late: string): Promise<T> {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Late(late)), this.timeoutMs)));
        try {
            return await Promise.race([work, timeout]);
        } catch (err) {
            if (err instanceof Late) void this.close();
            throw err;
        } finally {
            clearTimeout(timer);
        }
    }

    private connect(): Promise<Client> {
        if (this.client) return Promise.resolve(this.client);
        this.starting ??= this.start().finally(() => (this.starting = null));
        return this.starting;
    }

    private async start(): Promise<Client> {
        const transport = this.makeTransport();
        const client = new Client({ name: "lodge", version: VERSION });
        this.transport = transport;
        client.onclose = () => {
            if (this.client === client) this.client = null;
        };
        try {
            await client.connect(transport, { timeout: this.timeoutMs });
            const tools: McpTool[] = [];
            let cursor: string | undefined;
            for (let page = 0; page < 20; page++) {
                const listed = await client.listTools(cursor === undefined ? undefined : { cursor }, { timeout: this.timeoutMs });
                tools.push(...listed.tools);
                if (!(cursor = listed.nextCursor)) break;
            }
            this.tools = tools;
            this.client = client;
            return client;
        } catch (err) {
            await client.close().catch(() => undefined);
            throw err;
        }
    }

    private makeTransport(): Transport {
        const c = this.config;
        if ("url" in c) return new StreamableHTTPClientTransport(new URL(c.url), { requestInit: { headers: c.headers ?? {} } });
        const env: NodeJS.ProcessEnv = {};
        for (const key of [...DEFAULT_INHERITED_ENV_VARS, "TMPDIR", "LANG"])
            if (this.options.env[key] !== undefined) env[key] = this.options.env[key];
        const cwd = c.cwd === undefined ? this.options.vault : isAbsolute(c.cwd) ? c.cwd : resolve(this.options.vault, c.cwd);
        return new GroupStdioTransport({ command: c.command, args: c.args ?? [], env: { ...env, ...c.env }, cwd });
    }

    async close(): Promise<void> {
        const client = this.client;
        const transport = this.transport;
        this.client = null;
        this.transport = null;
        await client?.close().catch(() => undefined);
        await transport?.close().catch(() => undefined);
    }
}

/** A tool result as the text the model reads. */
export function resultText(result: CallToolResult): string {
    const parts = (result.content ?? []).map((c) => {
        if (c.type === "text") return c.text;
        if (c.type === "resource")
            return "text" in c.resource ? c.resource.text : `[resource ${c.resource.uri}, ${c.resource.mimeType ?? "binary"}]`;
        if (c.type === "resource_link") return `[resource ${c.uri}]`;
        if (c.type === "image" || c.type === "audio") return `[${c.type}, ${c.mimeType}: not shown]`;
        return JSON.stringify(c);
    });
    let text = parts.join("\n");
    if (text === "" && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
    return text.length > MAX_RESULT_CHARS
        ? `${text.slice(0, MAX_RESULT_CHARS)}\n[… ${text.length - MAX_RESULT_CHARS} more characters not shown]`
        : text;
}
