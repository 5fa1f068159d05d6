/** `GET /v1/config` (docs/memory.md), with a `messages` token: thin over ConfigService. */
import type Router from "@koa/router";
import { ROUTES } from "../../../shared/protocol/api";
import { type ConfigService, matchesIfNoneMatch } from "../../services/config-service";
import type { TokenService } from "../../services/tokens";
import { requireToken } from "../guards";

export function configRoutes(router: Router, deps: { config: ConfigService; tokens: TokenService }): void {
    router.get(ROUTES.config, requireToken(deps.tokens, "messages"), async (ctx) => {
        const { json, etag } = await deps.config.current();
        ctx.set("ETag", etag);
        // Clients keep the answer and ask again with If-None-Match; no cache between them may answer for the daemon.
        ctx.set("Cache-Control", "private, no-cache");
        if (matchesIfNoneMatch(ctx.get("If-None-Match"), etag)) {
            ctx.status = 304;
            return;
        }
        ctx.type = "application/json";
        ctx.body = json;
    });
}
