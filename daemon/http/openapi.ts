/**
 * `GET /openapi.json` (docs/cli.md): an OpenAPI 3.1 document generated from the route table in
 * shared/protocol/route-docs.ts, and the check that makes the table complete: the app refuses to be
 * built with a route the table does not describe.
 */
import type Router from "@koa/router";
import { ROUTE_DOCS } from "../../shared/protocol/route-docs";
import { ERROR_BODY, type RouteDoc } from "../../shared/protocol/route-schemas";

/** `/v1/conversations/:id` → `/v1/conversations/{id}`. */
const openApiPath = (path: string): string => path.replace(/:([A-Za-z_]+)/g, "{$1}");

function operation(doc: RouteDoc): Record<string, unknown> {
    const pathParams = [...doc.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
        name: m[1],
        in: "path",
        required: true,
        schema: { type: "string" },
    }));
    const query = Object.entries(doc.query ?? {}).map(([name, q]) => ({
        name,
        in: "query",
        required: q.required ?? false,
        schema: q.schema,
        ...(q.description ? { description: q.description } : {}),
    }));
    const responses = Object.fromEntries(
        Object.entries(doc.answers).map(([status, a]) => [
            status,
            {
                description: a.description,
                ...(a.schema ? { content: { "application/json": { schema: a.schema } } } : a.type ? { content: { [a.type]: {} } } : {}),
            },
        ]),
    );
    const scopes = doc.scope === null ? [] : Array.isArray(doc.scope) ? doc.scope : [doc.scope];
    return {
        summary: doc.summary,
        tags: [doc.tag],
        operationId: `${doc.method}${doc.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`,
        ...(scopes.length > 0 ? { security: doc.tag === "memory" ? [{ basic: scopes }] : [{ bearer: scopes }] } : { security: [] }),
        ...(pathParams.length + query.length > 0 ? { parameters: [...pathParams, ...query] } : {}),
        ...(doc.body ? { requestBody: { required: true, content: { "application/json": { schema: doc.body } } } } : {}),
        responses,
    };
}

export function openApiDocument(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const doc of ROUTE_DOCS) {
        const item = (paths[openApiPath(doc.path)] ??= {});
        for (const method of doc.method === "all" ? ["get", "post", "delete"] : [doc.method]) item[method] = operation(doc);
    }
    return {
        openapi: "3.1.0",
        info: {
            title: "Lodge daemon",
            version,
            description:
                "The local daemon of Lodge: chat turns on notes, conversations, agent memory, MCP. docs/api.md explains each route.",
        },
        servers: [{ url: "http://127.0.0.1:8765" }],
        components: {
            securitySchemes: {
                bearer: {
                    type: "http",
                    scheme: "bearer",
                    description: "a token from `lodge token create`; scopes messages, memory, admin",
                },
                basic: { type: "http", scheme: "basic", description: "git: any user name, a memory token as the password" },
            },
            schemas: { Error: ERROR_BODY },
        },
        paths,
    };
}

/** Throws when the router has a route the table does not describe (or the table one the router lacks). */
export function assertDescribed(router: Router): void {
    const described = new Set(ROUTE_DOCS.map((d) => `${d.method === "all" ? "ALL" : d.method.toUpperCase()} ${d.path}`));
    const mounted = new Set<string>();
    for (const layer of router.stack) {
        const methods = layer.methods.filter((m) => m !== "HEAD");
        // router.all registers every method: it is described once, as "all".
        const key = methods.length > 4 ? `ALL ${layer.path}` : `${methods[0]} ${layer.path}`;
        mounted.add(key);
        if (!described.has(key)) throw new Error(`route ${key} has no description in shared/protocol/route-docs.ts`);
    }
    for (const key of described) if (!mounted.has(key)) throw new Error(`route-docs.ts describes ${key}, which no route serves`);
}
