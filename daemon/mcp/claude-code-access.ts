/**
 * What a Claude Code turn gets for MCP (docs/mcp.md): Lodge's own server for its agent
 * (`/v1/mcp/<agent>`, a token made for the turn) with the tools it is shown allowed by name
 * (`mcp__lodge__<tool>`; in `-p` mode an unallowed tool is denied), plus the agent's own
 * `mcp_servers`, each allowed whole (`mcp__<name>`). The turn calls `done()` when it ends.
 */
import type { TurnMcp } from "../backends/claude-code/cli-setup";
import type { TurnInput } from "../backends/types";
import type { McpServerConfig } from "../config";
import type { LodgeMcpServer } from "./server";
import type { TurnTokens } from "./turn-token";

export const LODGE_SERVER = "lodge";

export interface ClaudeCodeMcpDeps {
    /** The daemon's URL, known once it listens. */
    url: () => string;
    server: LodgeMcpServer;
    turnTokens: TurnTokens;
}

/** Claude Code's form of one of the agent's `mcp_servers`. */
export function claudeCodeServer(server: McpServerConfig): Record<string, unknown> {
    if ("url" in server) return { type: "http", url: server.url, ...(server.headers && { headers: server.headers }) };
    return { type: "stdio", command: server.command, args: server.args ?? [], ...(server.env && { env: server.env }) };
}

export function claudeCodeMcp(deps: ClaudeCodeMcpDeps): (input: TurnInput) => Promise<TurnMcp | null> {
    return async (input) => {
        const agent = input.agent;
        const mcpServers: Record<string, unknown> = {};
        const allowedTools: string[] = [];
        for (const [name, server] of Object.entries(agent.mcp_servers ?? {})) {
            mcpServers[name] = claudeCodeServer(server);
            allowedTools.push(`mcp__${name}`);
        }
        const tools = deps.server.toolNames({ scopes: ["messages", "memory"], agent: agent.name });
        let revoke = (): Promise<void> => Promise.resolve();
        if (tools.length > 0) {
            const issued = await deps.turnTokens.issue({ agent: agent.name, history: input.history });
            revoke = issued.revoke;
            mcpServers[LODGE_SERVER] = {
                type: "http",
                url: `${deps.url()}/v1/mcp/${encodeURIComponent(agent.name)}`,
                headers: { Authorization: `Bearer ${issued.token}` },
            };
            allowedTools.push(...tools.map((t) => `mcp__${LODGE_SERVER}__${t}`));
        }
        if (Object.keys(mcpServers).length === 0) return null;
        return { config: { mcpServers }, allowedTools, done: revoke };
    };
}
