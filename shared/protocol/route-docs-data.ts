/**
 * Conversations, memory over git, the OpenAI-compatible and frontend routes and MCP, described (route-docs.ts).
 */
import { ROUTES } from "./api";
import { FRONTEND_CHAT_ROUTE } from "./frontends";
import {
    arr,
    bool,
    conversation,
    errors,
    filters,
    GIT,
    int,
    message,
    nullable,
    obj,
    skill,
    sse,
    str,
    time,
    usage,
    type RouteDoc,
} from "./route-schemas";

export const DATA_ROUTE_DOCS: readonly RouteDoc[] = [
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
