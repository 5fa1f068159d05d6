/**
 * Every HTTP route of the daemon, described: method, path (Koa's `:param` form, as the routes use),
 * token scope, query, body and answers as JSON Schema. `GET /openapi.json` is generated from this
 * table, and the daemon refuses to start with a route that is not in it (daemon/http/openapi.ts), so a
 * route cannot exist without its description. Pure data; the shapes follow the types in api.ts and
 * events.ts, which the routes use.
 */
import { DATA_ROUTE_DOCS } from "./route-docs-data";
import { TURN_ROUTE_DOCS } from "./route-docs-turns";
import type { RouteDoc } from "./route-schemas";

export const ROUTE_DOCS: readonly RouteDoc[] = [...TURN_ROUTE_DOCS, ...DATA_ROUTE_DOCS];
