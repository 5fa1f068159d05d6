/**
 * The agents' MCP servers as tools (docs/mcp.md): each agent's `mcp_servers`, one connection per server
 * kept for the daemon's life, offered to the agent as `NAME__tool` in a ToolBox joined with the
 * turn's other tools, exactly as the vault tools are. A server that cannot start costs the turn its
 * tools (said in the log), never the turn. All stop at shutdown.
 */
import { runsDaemonTools } from "../backends/registry";
import type { ToolBox, ToolCall, ToolResult } from "../backends/types";
import type { AgentConfig } from "../config";
import type { Logger } from "../log";
import type { TurnEnv } from "../services/turn-env";
import { argsOf, joinToolBoxes } from "../tools/tool";
import { McpConnection } from "./client";

/** What Anthropic and OpenAI accept as a tool's name. */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const SEPARATOR = "__";

export class McpClients {
    private readonly connections = new Map<string, McpConnection>();

    constructor(private readonly deps: { env: NodeJS.ProcessEnv; vault: string; log: Logger }) {}

    /** The agent's servers, made (not started) on first ask. */
    servers(agent: AgentConfig): McpConnection[] {
        return Object.entries(agent.mcp_servers ?? {}).map(([name, config]) => {
            const key = `${agent.name}/${name}`;
            let c = this.connections.get(key);
            if (!c) {
                c = new McpConnection(name, config, { env: this.deps.env, vault: this.deps.vault, timeoutMs: agent.tool_timeout_ms });
                this.connections.set(key, c);
            }
            return c;
        });
    }

    /** The agent's MCP tools as a ToolBox (servers started as needed), or undefined when it has none. */
    async toolBox(agent: AgentConfig): Promise<ToolBox | undefined> {
        const servers = this.servers(agent);
        if (servers.length === 0) return undefined;
        const byName = new Map<string, { server: McpConnection; tool: string }>();
        const specs: ToolBox["specs"] = [];
        await Promise.all(
            servers.map(async (server) => {
                try {
                    for (const tool of await server.listTools()) {
                        const name = `${server.name}${SEPARATOR}${tool.name}`;
                        if (!TOOL_NAME.test(name)) continue; // a name the model APIs refuse
                        byName.set(name, { server, tool: tool.name });
                        specs.push({ name, description: tool.description ?? "", input_schema: tool.inputSchema });
                    }
                } catch (err) {
                    this.deps.log.warn(
                        `agent ${agent.name}: MCP server ${server.name} is not available this turn: ${err instanceof Error ? err.message : String(err)}`,
                    );
                }
            }),
        );
        if (specs.length === 0) return undefined;
        return {
            specs,
            run: async (call: ToolCall): Promise<ToolResult> => {
                const target = byName.get(call.name);
                if (!target) return { tool_use_id: call.id, content: `there is no tool named ${call.name}`, is_error: true };
                let args: Record<string, unknown>;
                try {
                    args = argsOf(call.name, call.input);
                } catch (err) {
                    return { tool_use_id: call.id, content: (err as Error).message, is_error: true };
                }
                const answer = await target.server.call(target.tool, args);
                return { tool_use_id: call.id, content: answer.content, is_error: answer.isError };
            },
        };
    }

    /** The agent's MCP tools by the names it sees them (`NAME__tool`), listing its servers (started as needed). */
    async toolNames(agent: AgentConfig): Promise<string[]> {
        return (await this.toolBox(agent))?.specs.map((s) => s.name) ?? [];
    }

    async close(): Promise<void> {
        await Promise.all([...this.connections.values()].map((c) => c.close()));
    }
}

/** A turn's preparation with the agent's MCP tools after the others (backends whose tool loop the daemon runs). */
export function withMcpTools(prepare: TurnEnv["prepare"], clients: McpClients): TurnEnv["prepare"] {
    return async (agent, base, context) => {
        const prepared = await prepare(agent, base, context);
        if (!runsDaemonTools(agent.backend) || !agent.mcp_servers) return prepared;
        return { ...prepared, tools: joinToolBoxes(prepared.tools, await clients.toolBox(agent)) };
    };
}
