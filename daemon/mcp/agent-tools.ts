/**
 * Each agent's tools by the names it sees them (`GET /v1/agents`' optional `tools`, docs/mcp.md): on a
 * model API backend its own (memory, load_skill, vault) and `NAME__tool` from its MCP servers; on
 * Claude Code, Lodge's MCP tools and its servers' under Claude Code's `mcp__<server>__` prefix.
 */
import { runsDaemonTools } from "../backends/registry";
import type { AgentConfig } from "../config";
import { loadSkill } from "../tools/load-skill";
import { MEMORY_TOOLS } from "../tools/memory-tools";
import { VAULT_TOOLS } from "../tools/vault-tools";
import { LODGE_SERVER } from "./claude-code-access";
import type { McpClients } from "./client-tools";
import type { LodgeMcpServer } from "./server";

/** How long `GET /v1/agents` waits for MCP servers to start and list their tools. */
const LIST_WAIT_MS = 5000;

export function agentTools(deps: { server: LodgeMcpServer; clients: McpClients }): (agent: AgentConfig) => Promise<string[]> {
    return async (agent) => {
        const listed = await Promise.race([
            deps.clients.toolNames(agent),
            new Promise<string[]>((resolve) =>
                setTimeout(
                    () => resolve(deps.clients.servers(agent).flatMap((s) => s.knownTools().map((t) => `${s.name}__${t.name}`))),
                    LIST_WAIT_MS,
                ).unref(),
            ),
        ]);
        if (!runsDaemonTools(agent.backend)) {
            const lodge = deps.server
                .toolNames({ scopes: ["messages", "memory"], agent: agent.name })
                .map((t) => `mcp__${LODGE_SERVER}__${t}`);
            return [...lodge, ...listed.map((n) => `mcp__${n}`)];
        }
        const own = [
            ...(agent.memory ? [...MEMORY_TOOLS, loadSkill].map((t) => t.spec.name) : []),
            ...(agent.vault_tools !== "off" ? VAULT_TOOLS.map((t) => t.spec.name) : []),
        ];
        return [...own, ...listed];
    };
}
