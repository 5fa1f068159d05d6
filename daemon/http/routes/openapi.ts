/** `GET /openapi.json` (docs/cli.md), no token: the description of every route. */
import type Router from "@koa/router";
import { ROUTES } from "../../../shared/protocol/api";
import { openApiDocument } from "../openapi";

export function openApiRoutes(router: Router, deps: { version: string }): void {
    const body = JSON.stringify(openApiDocument(deps.version));
    router.get(ROUTES.openapi, (ctx) => {
        ctx.type = "application/json";
        ctx.body = body;
    });
}
