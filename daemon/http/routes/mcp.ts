/**
 * `/v1/mcp` and `/v1/mcp/<agent>` (docs/mcp.md): behind the same Host, CORS and token guards as every
 * route (a `messages` or a `memory` token; the scopes choose the tools), then handed to the MCP
 * server's Streamable HTTP transport, which writes the Node response itself.
 */
import type Router from "@koa/router";
import type { Context } from "koa";
import { LodgeError } from "../../../shared/errors";
import { ROUTES } from "../../../shared/protocol/api";
import type { AgentConfig } from "../../config";
import type { LodgeMcpServer } from "../../mcp/server";
import type { TurnTokens } from "../../mcp/turn-token";
import type { TokenService } from "../../services/tokens";
import { readJson } from "../body";
import { type LodgeState, requireToken } from "../guards";

export interface McpRouteDeps {
    mcp: LodgeMcpServer;
    tokens: TokenService;
    turnTokens: TurnTokens;
    agents: Record<string, AgentConfig>;
    maxBodyBytes: number;
}

export function mcpRoutes(router: Router, deps: McpRouteDeps): void {
    const auth = requireToken(deps.tokens, ["messages", "memory"]);
    const handle = async (ctx: Context & { params: Record<string, string | undefined> }): Promise<void> => {
        const agent = ctx.params.agent;
        if (agent !== undefined && !Object.hasOwn(deps.agents, agent)) {
            throw new LodgeError("unknown_agent", `no agent named "${agent}"; agents: ${Object.keys(deps.agents).join(", ") || "none"}`);
        }
        const token = (ctx.state as LodgeState).token!;
        const body = ctx.method === "POST" ? await readJson(ctx, deps.maxBodyBytes) : undefined;
        ctx.respond = false;
        await deps.mcp.handle(ctx.req, ctx.res, body, { scopes: token.scopes, agent, turn: deps.turnTokens.turn(token.name) });
    };
    router.all(ROUTES.mcp, auth, handle);
    router.all(ROUTES.mcpAgent, auth, handle);
}
