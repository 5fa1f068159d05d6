/**
 * The building blocks of the route descriptions (route-docs.ts): the RouteDoc shape, JSON Schema
 * helpers and the bodies several routes share.
 */

export type Schema = Record<string, unknown>;
export type Scope = "messages" | "memory" | "admin";

export interface RouteDoc {
    method: "get" | "post" | "all";
    path: string;
    /** Null: no token (`/healthz`, `/openapi.json`). */
    scope: Scope | Scope[] | null;
    summary: string;
    query?: Record<string, { schema: Schema; required?: boolean; description?: string }>;
    body?: Schema;
    /** By status: a JSON answer's schema, or a content type with no schema (streams, zip, git). */
    answers: Record<string, { description: string; schema?: Schema; type?: string }>;
    tag: string;
}

export const str: Schema = { type: "string" };
export const int: Schema = { type: "integer" };
export const bool: Schema = { type: "boolean" };
export const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: "null" }] });
export const arr = (items: Schema): Schema => ({ type: "array", items });
export const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({
    type: "object",
    properties,
    required,
});

export const ERROR_BODY = obj({ error: obj({ code: str, message: str }) });
export const time = { type: "string", format: "date-time" };
export const usage = obj({ input_tokens: int, output_tokens: int, cache_read_tokens: int, cache_write_tokens: int });
export const agentInfo = obj({ name: str, backend: str, model: str, description: str, ready: bool, problem: str, tools: arr(str) }, [
    "name",
    "backend",
    "model",
    "description",
]);
export const agents = obj({ agents: arr(agentInfo), default_agent: nullable(str) });
export const skill = obj({ name: str, description: str, triggers: arr(str) });
export const conversation = obj({
    id: str,
    title: str,
    agent: str,
    note_path: nullable(str),
    created_at: time,
    updated_at: time,
    message_count: int,
    parent_id: nullable(str),
});
export const message = obj({ role: { enum: ["user", "assistant"] }, content: arr({ type: "object" }) });
export const chatBody = obj({ filename: str, content: str, agent: str, writer: { enum: ["daemon", "editor"] } }, ["filename"]);
export const filters: RouteDoc["query"] = {
    q: { schema: str, description: "full text: whole words, all of them; word* for a prefix" },
    title__contains: { schema: str },
    agent: { schema: str },
    created_at__gte: { schema: time },
    created_at__lt: { schema: time },
    updated_at__gte: { schema: time },
    updated_at__lt: { schema: time },
};
export const sse = { description: "text/event-stream", type: "text/event-stream" };
export const errors = (...codes: string[]): RouteDoc["answers"] =>
    Object.fromEntries(codes.map((c) => [c, { description: "an error", schema: ERROR_BODY }]));
export const GIT = "/v1/git/:agent/state.git";
