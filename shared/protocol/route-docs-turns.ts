/**
 * The daemon's own, agents, config, events and chat routes, described (route-docs.ts).
 */
import { ROUTES } from "./api";
import { DONE_STATUSES } from "./events";
import { agentInfo, agents, arr, bool, chatBody, errors, int, nullable, obj, skill, sse, str, type RouteDoc } from "./route-schemas";

export const TURN_ROUTE_DOCS: readonly RouteDoc[] = [
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
];
