/** Builds the Koa app from the services. It never listens by itself: main.ts (or a test) does. */
import Router from "@koa/router";
import Koa from "koa";
import type { AgentConfig } from "../config";
import type { Logger } from "../log";
import type { AgentRegistry } from "../services/agents";
import type { TokenService } from "../services/tokens";
import type { TurnService } from "../services/turn-service";
import { VERSION } from "../version";
import { cors, errorFunnel, hostAllowList, hostGuard, requestLog } from "./guards";
import { assertDescribed } from "./openapi";
import { isOpenAiPath, openAiErrorBody } from "./openai-errors";
import { chatRoutes } from "./routes/chat";
import { openApiRoutes } from "./routes/openapi";
import { infoRoutes } from "./routes/info";

export interface AppDeps {
    turns: TurnService;
    agents: AgentRegistry;
    tokens: TokenService;
    log: Logger;
    http: { max_body_mb: number; allowed_hosts: string[]; allowed_origins: string[] };
    /** The port the server listens on, known once it does (port 0 picks one). */
    port: () => number;
    /** Each agent's tools by name, for `GET /v1/agents` (docs/mcp.md). */
    agentTools?: (agent: AgentConfig) => Promise<string[]>;
    /** More routes (git memory, conversations), mounted after the chat routes. */
    extraRoutes?: Array<(router: Router) => void>;
}

export function createApp(deps: AppDeps): Koa {
    const app = new Koa();
    app.silent = true; // the error funnel logs what needs logging
    const router = new Router();
    infoRoutes(router, deps);
    chatRoutes(router, { turns: deps.turns, tokens: deps.tokens, maxBodyBytes: deps.http.max_body_mb * 1024 * 1024 });
    for (const mount of deps.extraRoutes ?? []) mount(router);
    openApiRoutes(router, { version: VERSION });
    assertDescribed(router);
    app.use(requestLog(deps.log));
    app.use(errorFunnel(deps.log, (path) => (isOpenAiPath(path) ? openAiErrorBody : undefined)));
    app.use(hostGuard(hostAllowList(deps.port, deps.http.allowed_hosts)));
    app.use(cors(deps.http.allowed_origins));
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
    return app;
}
