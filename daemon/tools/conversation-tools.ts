/**
 * `search_conversations` (docs/api.md's filters) and `get_conversation` (one conversation with its
 * messages): the conversations API as tools, for MCP clients (docs/mcp.md). The API's own service
 * answers, so the filters, limits and errors are the routes' own.
 */
import type { ConversationQueryService } from "../services/conversation-query";
import { textArg, type Tool, ToolError } from "./tool";

export interface ConversationToolContext {
    queries: ConversationQueryService;
}

const FILTERS = [
    "q",
    "title__contains",
    "agent",
    "created_at__gte",
    "created_at__lt",
    "updated_at__gte",
    "updated_at__lt",
    "page_id",
] as const;
const text = (description: string) => ({ type: "string", description });

export const searchConversations: Tool<ConversationToolContext> = {
    spec: {
        name: "search_conversations",
        description:
            "Search Lodge's conversations (chats with its agents), newest update first. Answers JSON {items: [{id, title, agent, note_path, " +
            "created_at, updated_at, message_count, parent_id}], next_page_id}; pass next_page_id as page_id for the next page. " +
            "Read one with get_conversation.",
        input_schema: {
            type: "object",
            properties: {
                q: text("Words in the messages, all of them, whole words; word* for a prefix."),
                title__contains: text("Part of the title, any case."),
                agent: text("Only this agent's conversations."),
                created_at__gte: text("Created at or after this ISO 8601 time (2025-01-31T09:30:00.000Z)."),
                created_at__lt: text("Created before this ISO 8601 time."),
                updated_at__gte: text("Updated at or after this ISO 8601 time."),
                updated_at__lt: text("Updated before this ISO 8601 time."),
                page_id: text("The next_page_id of the previous answer."),
                limit: { type: "integer", description: "At most this many conversations (1–100, default 100)." },
            },
        },
    },
    async run(ctx, args) {
        const query: Record<string, string> = {};
        for (const [key, value] of Object.entries(args)) {
            if (value === undefined || value === null) continue;
            if (key === "limit" && typeof value === "number") query.limit = String(value);
            else if ((FILTERS as readonly string[]).includes(key) || key === "limit") query[key] = textArg(args, key);
            else throw new ToolError(`search_conversations takes ${[...FILTERS, "limit"].join(", ")}; not ${key}`);
        }
        return JSON.stringify(await ctx.queries.search(query), null, 1);
    },
};

export const getConversation: Tool<ConversationToolContext> = {
    spec: {
        name: "get_conversation",
        description: "One of Lodge's conversations with its messages (the canonical history: text, tool calls and results), as JSON.",
        input_schema: {
            type: "object",
            properties: { id: text("The conversation's id (search_conversations lists them).") },
            required: ["id"],
        },
    },
    run: async (ctx, args) => JSON.stringify(await ctx.queries.get(textArg(args, "id")), null, 1),
};

export const CONVERSATION_TOOLS = [searchConversations, getConversation] as const;
