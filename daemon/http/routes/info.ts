/** `GET /healthz` (no token) and `GET /v1/agents`. */
import type Router from "@koa/router";
import { ROUTES, type HealthResponse } from "../../../shared/protocol/api";
import type { AgentRegistry } from "../../services/agents";
import type { TokenService } from "../../services/tokens";
import { VERSION } from "../../version";
import { requireToken } from "../guards";

export function infoRoutes(router: Router, deps: { agents: AgentRegistry; tokens: TokenService }): void {
    router.get(ROUTES.health, (ctx) => {
        const body: HealthResponse = { status: "ok", version: VERSION };
        ctx.body = body;
    });
    router.get(ROUTES.agents, requireToken(deps.tokens, "messages"), (ctx) => {
        ctx.body = deps.agents.list();
    });
}
