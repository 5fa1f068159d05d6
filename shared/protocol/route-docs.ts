/**
 * Every HTTP route of the daemon, described: method, path (Koa's `:param` form, as the routes use),
 * token scope, query, body and answers as JSON Schema. `GET /openapi.json` is generated from this
 * table, and the daemon refuses to start with a route that is not in it (daemon/http/openapi.ts), so a
 * route cannot exist without its description. Pure data; the shapes follow the types in api.ts and
 * events.ts, which the routes use.
 */
import { ROUTES } from "./api";
import { DONE_STATUSES } from "./events";
import { FRONTEND_CHAT_ROUTE } from "./frontends";

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

const str: Schema = { type: "string" };
const int: Schema = { type: "integer" };
const bool: Schema = { type: "boolean" };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: "null" }] });
const arr = (items: Schema): Schema => ({ type: "array", items });
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({
    type: "object",
    properties,
    required,
});

export const ERROR_BODY = obj({ error: obj({ code: str, message: str }) });
const time = { type: "string", format: "date-time" };
const usage = obj({ input_tokens: int, output_tokens: int, cache_read_tokens: int, cache_write_tokens: int });
const agentInfo = obj({ name: str, backend: str, model: str, description: str, ready: bool, problem: str, tools: arr(str) }, [
    "name",
    "backend",
    "model",
    "description",
]);
const agents = obj({ agents: arr(agentInfo), default_agent: nullable(str) });
const skill = obj({ name: str, description: str, triggers: arr(str) });
const conversation = obj({
    id: str,
    title: str,
    agent: str,
    note_path: nullable(str),
    created_at: time,
    updated_at: time,
    message_count: int,
    parent_id: nullable(str),
});
const message = obj({ role: { enum: ["user", "assistant"] }, content: arr({ type: "object" }) });
const chatBody = obj({ filename: str, content: str, agent: str, writer: { enum: ["daemon", "editor"] } }, ["filename"]);
const filters: RouteDoc["query"] = {
    q: { schema: str, description: "full text: whole words, all of them; word* for a prefix" },
    title__contains: { schema: str },
    agent: { schema: str },
    created_at__gte: { schema: time },
    created_at__lt: { schema: time },
    updated_at__gte: { schema: time },
    updated_at__lt: { schema: time },
};
const sse = { description: "text/event-stream", type: "text/event-stream" };
const errors = (...codes: string[]): RouteDoc["answers"] =>
    Object.fromEntries(codes.map((c) => [c, { description: "an error", schema: ERROR_BODY }]));
const GIT = "/v1/git/:agent/state.git";

export const ROUTE_DOCS: readonly RouteDoc[] = [
    {
        tag: "daemon",
        method: "get",
        path: ROUTES.health,
        scope: null,
        summary: "The daemon is up",
        answers: { 200: { description: "ok", schema: obj({ status: { const: "ok" }, version: str }) } },
    },
    {
        tag: "daemon",
        method: "get",
        path: ROUTES.openapi,
        scope: null,
        summary: "This description (OpenAPI 3.1)",
        answers: { 200: { description: "the document", schema: { type: "object" } } },
    },
    {
        tag: "daemon",
        method: "get",
        path: ROUTES.agents,
        scope: "messages",
        summary: "The agents and the default one",
        answers: { 200: { description: "agents", schema: agents }, ...errors("401") },
    },
    {
        tag: "daemon",
        method: "get",
        path: ROUTES.config,
        scope: "messages",
        summary: "Agents, default agent and skills in one answer, with a strong ETag; If-None-Match gives 304",
        answers: {
            200: {
                description: "the configuration",
                schema: obj({
                    version: str,
                    agents: arr(agentInfo),
                    default_agent: nullable(str),
                    skills: { type: "object", additionalProperties: arr(skill) },
                }),
            },
            304: { description: "not modified" },
            ...errors("401"),
        },
    },
    {
        tag: "daemon",
        method: "get",
        path: ROUTES.events,
        scope: "messages",
        summary: "Server-sent events: turn (started, ok, cancelled, error) and config (its new ETag)",
        query: { client: { schema: str, description: "the plugin's id, for POST /v1/chat/open" } },
        answers: { 200: sse, ...errors("401") },
    },
    {
        tag: "chat",
        method: "post",
        path: ROUTES.chat,
        scope: "messages",
        summary: "Run a turn on a note to its end",
        body: chatBody,
        answers: {
            200: {
                description: "the turn's outcome",
                schema: obj(
                    { status: { enum: [...DONE_STATUSES] }, reason: str, agent: str, conversation_id: nullable(str), new_content: str },
                    ["status", "agent", "conversation_id", "new_content"],
                ),
            },
            ...errors("400", "401", "404", "409", "413", "502", "503"),
        },
    },
    {
        tag: "chat",
        method: "post",
        path: ROUTES.chatStream,
        scope: "messages",
        summary: "Run a turn on a note, streamed: start, delta…, done or error",
        body: chatBody,
        answers: { 200: sse, ...errors("400", "401", "404", "409", "413") },
    },
    {
        tag: "chat",
        method: "get",
        path: ROUTES.chatStream,
        scope: "messages",
        summary: "Join the turn running on a note: start (rejoined), the reply so far, the live deltas, the end",
        query: {
            filename: { schema: str, required: true },
            writer: { schema: { enum: ["editor"] }, description: "the follower puts the reply into its editor" },
        },
        answers: { 200: sse, ...errors("400", "401", "404") },
    },
    {
        tag: "chat",
        method: "post",
        path: ROUTES.chatCancel,
        scope: "messages",
        summary: "Stop the turn running on a note",
        body: obj({ filename: str }),
        answers: { 200: { description: "whether a turn was stopped", schema: obj({ cancelled: bool }) }, ...errors("400", "401") },
    },
    {
        tag: "chat",
        method: "post",
        path: ROUTES.chatOpen,
        scope: "messages",
        summary: "The chat notes a connected Obsidian has open (their changes are the plugin's to send)",
        body: obj({ client: str, filenames: arr(str) }),
        answers: {
            200: { description: "how many notes are left to the client", schema: obj({ open: int, connected: bool }) },
            ...errors("400", "401"),
        },
    },
    {
        tag: "conversations",
        method: "get",
        path: ROUTES.conversationSearch,
        scope: "messages",
        summary: "Search conversations, newest update first",
        query: { ...filters, page_id: { schema: str }, limit: { schema: { type: "integer", minimum: 1, maximum: 100 } } },
        answers: {
            200: { description: "a page", schema: obj({ items: arr(conversation), next_page_id: nullable(str) }) },
            ...errors("400", "401"),
        },
    },
    {
        tag: "conversations",
        method: "get",
        path: ROUTES.conversationCount,
        scope: "messages",
        summary: "How many conversations search would page through",
        query: filters,
        answers: { 200: { description: "the count", schema: obj({ count: int }) }, ...errors("400", "401") },
    },
    {
        tag: "conversations",
        method: "get",
        path: ROUTES.conversations,
        scope: "messages",
        summary: "Up to 100 conversations by id, in the order asked",
        query: { ids: { schema: arr(str), required: true } },
        answers: { 200: { description: "each or null", schema: arr(nullable(conversation)) }, ...errors("400", "401") },
    },
    {
        tag: "conversations",
        method: "get",
        path: ROUTES.conversation,
        scope: "messages",
        summary: "One conversation with its messages and usage",
        answers: {
            200: {
                description: "the conversation",
                schema: { ...conversation, properties: { ...(conversation.properties as object), messages: arr(message), usage } },
            },
            ...errors("401", "404"),
        },
    },
    {
        tag: "conversations",
        method: "get",
        path: ROUTES.conversationBranches,
        scope: "messages",
        summary: "The kept earlier branches",
        answers: {
            200: {
                description: "branches",
                schema: obj({ items: arr(obj({ branch_id: str, forked_at: int, created_at: time, message_count: int })) }),
            },
            ...errors("401", "404"),
        },
    },
    {
        tag: "conversations",
        method: "get",
        path: ROUTES.conversationBranch,
        scope: "messages",
        summary: "One kept branch with its messages",
        answers: {
            200: {
                description: "the branch",
                schema: obj({ branch_id: str, forked_at: int, created_at: time, message_count: int, messages: arr(message) }),
            },
            ...errors("401", "404"),
        },
    },
    {
        tag: "conversations",
        method: "get",
        path: ROUTES.conversationDownload,
        scope: "messages",
        summary: "meta.json, messages.jsonl, note.md and transcript.jsonl in a zip",
        answers: { 200: { description: "the archive", type: "application/zip" }, ...errors("401", "404") },
    },
    {
        tag: "conversations",
        method: "get",
        path: ROUTES.conversationSkills,
        scope: "messages",
        summary: "The skills of the conversation's agent",
        answers: { 200: { description: "skills", schema: obj({ items: arr(skill) }) }, ...errors("401", "404") },
    },
    {
        tag: "memory",
        method: "get",
        path: `${GIT}/info/refs`,
        scope: "memory",
        summary: "git smart HTTP: refs (clone, fetch, push); HTTP Basic auth with a memory token",
        query: { service: { schema: { enum: ["git-upload-pack", "git-receive-pack"] } } },
        answers: { 200: { description: "git", type: "application/octet-stream" }, 401: { description: "credentials needed" } },
    },
    {
        tag: "memory",
        method: "post",
        path: `${GIT}/git-upload-pack`,
        scope: "memory",
        summary: "git smart HTTP: clone and fetch",
        answers: { 200: { description: "git", type: "application/x-git-upload-pack-result" }, 401: { description: "credentials needed" } },
    },
    {
        tag: "memory",
        method: "post",
        path: `${GIT}/git-receive-pack`,
        scope: "memory",
        summary: "git smart HTTP: push (checked, synced before it returns)",
        answers: { 200: { description: "git", type: "application/x-git-receive-pack-result" }, 401: { description: "credentials needed" } },
    },
    {
        tag: "openai",
        method: "get",
        path: ROUTES.models,
        scope: "messages",
        summary: "OpenAI-compatible: the agents as models",
        answers: {
            200: {
                description: "a list",
                schema: obj({
                    object: { const: "list" },
                    data: arr(obj({ id: str, object: { const: "model" }, created: int, owned_by: str })),
                }),
            },
            ...errors("401"),
        },
    },
    {
        tag: "openai",
        method: "post",
        path: ROUTES.chatCompletions,
        scope: "messages",
        summary:
            "OpenAI-compatible Chat Completions: model = agent; a chat.completion, or chat.completion.chunk events ending data: [DONE]",
        body: obj(
            {
                model: str,
                messages: arr(obj({ role: { enum: ["system", "developer", "user", "assistant", "tool"] }, content: {} }, ["role"])),
                stream: bool,
                stream_options: obj({ include_usage: bool }, []),
                temperature: { type: "number" },
                max_tokens: int,
                max_completion_tokens: int,
            },
            ["model", "messages"],
        ),
        answers: {
            200: {
                description: "chat.completion (or text/event-stream with stream: true)",
                schema: obj({
                    id: str,
                    object: { const: "chat.completion" },
                    created: int,
                    model: str,
                    choices: arr({ type: "object" }),
                    usage: { type: "object" },
                }),
            },
            400: {
                description: "an error in OpenAI's shape",
                schema: obj({ error: obj({ message: str, type: str, code: nullable(str) }) }),
            },
            404: { description: "unknown model (agent)", schema: obj({ error: obj({ message: str, type: str, code: nullable(str) }) }) },
        },
    },
    {
        tag: "frontends",
        method: "post",
        path: FRONTEND_CHAT_ROUTE,
        scope: "messages",
        summary:
            "A turn for lodge chat and lodge acp: the message logged in a chat note, streamed as start, text, tool_call, tool_result, done or error",
        body: obj({ frontend: { enum: ["cli", "acp"] }, message: str, agent: str, conversation_id: str, note: str }, [
            "frontend",
            "message",
        ]),
        answers: { 200: sse, ...errors("400", "401", "404", "409") },
    },
    {
        tag: "mcp",
        method: "all",
        path: ROUTES.mcp,
        scope: ["messages", "memory"],
        summary: "Lodge's MCP server (Streamable HTTP); tools by the token's scopes",
        answers: { 200: { description: "JSON-RPC", type: "application/json" }, ...errors("401") },
    },
    {
        tag: "mcp",
        method: "all",
        path: ROUTES.mcpAgent,
        scope: ["messages", "memory"],
        summary: "Lodge's MCP server with the agent fixed",
        answers: { 200: { description: "JSON-RPC", type: "application/json" }, ...errors("401", "404") },
    },
];
