/** `GET /healthz` (no token) and `GET /v1/agents`. */
import type Router from "@koa/router";
import { ROUTES, type HealthResponse } from "../../../shared/protocol/api";
import type { AgentConfig } from "../../config";
import type { AgentRegistry } from "../../services/agents";
import type { TokenService } from "../../services/tokens";
import { VERSION } from "../../version";
import { requireToken } from "../guards";

export interface InfoRouteDeps {
    agents: AgentRegistry;
    tokens: TokenService;
    /** Each agent's tools by name (Lodge's addition to `/v1/agents`, docs/mcp.md). */
    agentTools?: (agent: AgentConfig) => Promise<string[]>;
}

export function infoRoutes(router: Router, deps: InfoRouteDeps): void {
    router.get(ROUTES.health, (ctx) => {
        const body: HealthResponse = { status: "ok", version: VERSION };
        ctx.body = body;
    });
    router.get(ROUTES.agents, requireToken(deps.tokens, "messages"), async (ctx) => {
        const list = deps.agents.list();
        const tools = deps.agentTools;
        if (tools)
            list.agents = await Promise.all(list.agents.map(async (a) => ({ ...a, tools: await tools(deps.agents.resolve(a.name)) })));
        ctx.body = list;
    });
}
