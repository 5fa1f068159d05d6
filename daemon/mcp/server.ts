/**
 * Lodge as an MCP server (docs/mcp.md): the tools of daemon/tools/, shown by the token's scopes —
 * `messages`: the vault and conversation tools; `memory`: the memory tools and `load_skill` — over
 * Streamable HTTP, stateless (a fresh SDK server per request: nothing to lose at a restart). Tools
 * that act on an agent take `agent` unless the URL fixes it. The HTTP route bridges Koa to this.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
    CallToolRequestSchema,
    ErrorCode,
    ListToolsRequestSchema,
    McpError,
    type Tool as McpTool,
} from "@modelcontextprotocol/sdk/types.js";
import type { ToolResult } from "../backends/types";
import type { AgentConfig } from "../config";
import type { Logger } from "../log";
import type { MemoryService } from "../memory/memory-service";
import type { CanonicalMessage } from "../messages";
import type { ConversationQueryService } from "../services/conversation-query";
import type { Scope } from "../services/tokens";
import { CONVERSATION_TOOLS } from "../tools/conversation-tools";
import { loadSkill } from "../tools/load-skill";
import { MEMORY_TOOLS } from "../tools/memory-tools";
import { runTool, type Tool } from "../tools/tool";
import type { VaultToolContext } from "../tools/vault-context";
import { VAULT_TOOLS } from "../tools/vault-tools";
import { VERSION } from "../version";

type Family = "vault" | "conversations" | "agent";
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each family's context is built below, by family
type AnyTool = Tool<any>;
interface Entry {
    tool: AnyTool;
    scope: Scope;
    family: Family;
}

const ENTRIES: Entry[] = [
    ...VAULT_TOOLS.map((tool): Entry => ({ tool, scope: "messages", family: "vault" })),
    ...CONVERSATION_TOOLS.map((tool): Entry => ({ tool, scope: "messages", family: "conversations" })),
    ...[...MEMORY_TOOLS, loadSkill].map((tool): Entry => ({ tool, scope: "memory", family: "agent" })),
];

export interface McpServerDeps {
    agents: Record<string, AgentConfig>;
    memory: MemoryService;
    vault: VaultToolContext;
    queries: ConversationQueryService;
    log: Logger;
}

/** Who is asking: the token's scopes, the agent the URL fixes, and the turn a per-turn token belongs to. */
export interface McpAccess {
    scopes: readonly Scope[];
    agent?: string;
    /** A Claude Code turn's own token: its history tells `load_skill` what the conversation has loaded. */
    turn?: { agent: string; history: readonly CanonicalMessage[] };
}

export class LodgeMcpServer {
    constructor(private readonly deps: McpServerDeps) {}

    /** The tools `access` is shown, in order. */
    private entries(access: McpAccess): Entry[] {
        const fixed = access.agent === undefined ? undefined : this.deps.agents[access.agent];
        return ENTRIES.filter((e) => {
            if (!access.scopes.includes(e.scope)) return false;
            if (!fixed) return true;
            if (e.family === "vault") return fixed.vault_tools !== "off";
            if (e.family === "agent") return fixed.memory;
            return true;
        });
    }

    /** The names of the tools `access` is shown (Claude Code's `--allowedTools`, `GET /v1/agents`). */
    toolNames(access: McpAccess): string[] {
        return this.entries(access).map((e) => e.tool.spec.name);
    }

    listTools(access: McpAccess): McpTool[] {
        return this.entries(access).map(({ tool, family }) => {
            const schema = tool.spec.input_schema as { properties?: Record<string, unknown>; required?: string[] };
            if (family !== "agent" || access.agent !== undefined)
                return { name: tool.spec.name, description: tool.spec.description, inputSchema: schema as McpTool["inputSchema"] };
            const properties = {
                agent: { type: "string", description: `The agent whose memory this acts on: ${this.agentNames().join(", ")}.` },
                ...schema.properties,
            };
            return {
                name: tool.spec.name,
                description: tool.spec.description,
                inputSchema: { ...schema, type: "object", properties, required: ["agent", ...(schema.required ?? [])] },
            };
        });
    }

    async callTool(access: McpAccess, name: string, input: Record<string, unknown>): Promise<ToolResult> {
        const entry = this.entries(access).find((e) => e.tool.spec.name === name);
        if (!entry)
            throw new McpError(
                ErrorCode.InvalidParams,
                `Unknown tool: ${name}; this token is shown ${this.toolNames(access).join(", ") || "no tools"}`,
            );
        const call = { id: "mcp", name, input };
        if (entry.family === "vault") return runTool(entry.tool, this.deps.vault, call, this.deps.log);
        if (entry.family === "conversations") return runTool(entry.tool, { queries: this.deps.queries }, call, this.deps.log);
        const { agent: asked, ...args } = input;
        const agent = access.agent ?? asked;
        const problem = this.agentProblem(agent);
        if (problem) return { tool_use_id: call.id, content: problem, is_error: true };
        const history = access.turn && access.turn.agent === agent ? access.turn.history : [];
        const ctx = {
            agent: agent as string,
            memory: this.deps.memory,
            skills: await this.deps.memory.skillsFor(agent as string, history),
        };
        return runTool(entry.tool, ctx, { ...call, input: args }, this.deps.log);
    }

    private agentNames(): string[] {
        return Object.values(this.deps.agents)
            .filter((a) => a.memory)
            .map((a) => a.name);
    }

    private agentProblem(agent: unknown): string | null {
        const names = this.agentNames().join(", ") || "none";
        if (typeof agent !== "string" || agent === "")
            return `agent is required: the agent whose memory to use (agents with memory: ${names})`;
        const config = Object.hasOwn(this.deps.agents, agent) ? this.deps.agents[agent] : undefined;
        if (!config) return `no agent named "${agent}" (agents with memory: ${names})`;
        if (!config.memory) return `agent "${agent}" has memory: false in Lodge's config, so it has no memory or skills to use`;
        return null;
    }

    /** Answers one Streamable HTTP request (POST, GET or DELETE on the MCP endpoint). */
    async handle(req: IncomingMessage, res: ServerResponse, body: unknown, access: McpAccess): Promise<void> {
        const server = new Server({ name: "lodge", version: VERSION }, { capabilities: { tools: {} } });
        server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.listTools(access) }));
        server.setRequestHandler(CallToolRequestSchema, async (request) => {
            const result = await this.callTool(access, request.params.name, request.params.arguments ?? {});
            return { content: [{ type: "text", text: result.content }], isError: result.is_error };
        });
        // Stateless: no session id; every answer is one JSON body (no stream to keep open).
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        res.once("close", () => {
            void transport.close().catch(() => undefined);
            void server.close().catch(() => undefined);
        });
        await server.connect(transport);
        await transport.handleRequest(req, res, body);
    }
}
