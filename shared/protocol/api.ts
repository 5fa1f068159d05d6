/**
 * The daemon's HTTP API (docs/api.md): routes and the JSON bodies they take and give. Public names:
 * never rename one. Offsets are JavaScript string indices (UTF-16 code units), as CodeMirror uses.
 */
import type { DoneStatus, Usage } from "./events";
import type { NothingToDoReason } from "../note/types";

export const ROUTES = {
    health: "/healthz",
    /** docs/cli.md: the OpenAPI 3.1 description of every route (shared/protocol/route-docs.ts). */
    openapi: "/openapi.json",
    agents: "/v1/agents",
    chat: "/v1/chat",
    chatStream: "/v1/chat/stream",
    chatCancel: "/v1/chat/cancel",
    /** docs/api.md; `:id` and `:branch_id` are path parameters. */
    conversations: "/v1/conversations",
    conversationSearch: "/v1/conversations/search",
    conversationCount: "/v1/conversations/count",
    conversation: "/v1/conversations/:id",
    conversationBranches: "/v1/conversations/:id/branches",
    conversationBranch: "/v1/conversations/:id/branches/:branch_id",
    conversationDownload: "/v1/conversations/:id/download",
    conversationSkills: "/v1/conversations/:id/skills",
    /** docs/memory.md: agents, default agent and skills in one answer, with a strong ETag. */
    config: "/v1/config",
    /** docs/daemon.md: turns starting and ending, the configuration changing. */
    events: "/v1/events",
    /** docs/mcp.md: Lodge's MCP server (Streamable HTTP); `/v1/mcp/:agent` fixes the agent. */
    mcp: "/v1/mcp",
    mcpAgent: "/v1/mcp/:agent",
    /** docs/frontends.md: the OpenAI-compatible API. */
    models: "/v1/models",
    chatCompletions: "/v1/chat/completions",
    /** docs/daemon.md, docs/plugin.md: the chat notes a connected Obsidian has open (no double answers). */
    chatOpen: "/v1/chat/open",
} as const;

/** `POST /v1/chat/open`: `client` is the id the plugin gave `GET /v1/events?client=`. */
export interface OpenNotesRequest {
    client: string;
    filenames: string[];
}

export interface OpenNotesResponse {
    /** How many notes the daemon now leaves to this client. */
    open: number;
    /** False when no `/v1/events?client=` stream of this client is connected: the report does not count yet. */
    connected: boolean;
}

export type Writer = "daemon" | "editor";

export interface ChatRequest {
    /** Relative to the vault; `.md` is added when missing. */
    filename: string;
    /** The note's text; written to the file only once the request has passed every check. */
    content?: string;
    agent?: string;
    /** Only for the stream route. Default `daemon`. */
    writer?: Writer;
}

/** A turn stopped by `POST /v1/chat/cancel` answers `cancelled`, as its stream's `done` would. */
export type ChatStatus = DoneStatus;

/** `POST /v1/chat`: the `done` event of the turn, without the reply and the frontmatter. */
export interface ChatResponse {
    status: ChatStatus;
    reason?: NothingToDoReason;
    agent: string;
    conversation_id: string | null;
    new_content: string;
}

/** `POST /v1/chat/cancel`: the note whose turn to stop, as `filename` of ChatRequest names it. */
export interface CancelRequest {
    filename: string;
}

export interface CancelResponse {
    cancelled: boolean;
}

export interface HealthResponse {
    status: "ok";
    version: string;
}

export interface AgentInfo {
    name: string;
    backend: string;
    model: string;
    description: string;
    /**
     * Lodge's addition: present (and false) only when the daemon can tell the agent cannot answer as
     * configured, with `problem` saying why in a sentence ("ANTHROPIC_API_KEY is not set in the daemon's
     * environment"). Absent means ready as far as the daemon can see.
     */
    ready?: boolean;
    problem?: string;
    /** Lodge's addition (docs/mcp.md): the tools the agent is offered, by the names it sees them. */
    tools?: string[];
}

export interface AgentsResponse {
    agents: AgentInfo[];
    default_agent: string | null;
}

/** A conversation as the conversations API gives it (docs/api.md). Times are ISO 8601 UTC with milliseconds. */
export interface Conversation {
    id: string;
    /** The note's frontmatter `title`, else its file name without `.md`. */
    title: string;
    agent: string;
    note_path: string | null;
    created_at: string;
    updated_at: string;
    message_count: number;
    /** The conversation a copied note forked from. */
    parent_id: string | null;
}

/** One message of the canonical history, in Anthropic's shape (text, thinking, tool_use, tool_result blocks). */
export interface HistoryMessage {
    role: "user" | "assistant";
    content: Array<{ type: string; [key: string]: unknown }>;
}

export interface ConversationWithMessages extends Conversation {
    messages: HistoryMessage[];
    /** Every turn's token usage summed (docs/context.md). */
    usage: Usage;
}

/** `GET /v1/conversations/search`: newest update first; `next_page_id` is null on the last page. */
export interface ConversationPage {
    items: Conversation[];
    next_page_id: string | null;
}

export interface ConversationCount {
    count: number;
}

/** A kept earlier branch: the whole history as it was before a fork; `forked_at` is the first message that differs. */
export interface Branch {
    branch_id: string;
    forked_at: number;
    created_at: string;
    message_count: number;
}

export interface BranchWithMessages extends Branch {
    messages: HistoryMessage[];
}

export interface BranchList {
    items: Branch[];
}

export interface SkillInfo {
    name: string;
    description: string;
    triggers: string[];
}

export interface SkillList {
    items: SkillInfo[];
}

/**
 * `GET /v1/config` (docs/memory.md): `agents` and `default_agent` as `GET /v1/agents` gives them, `skills`
 * by agent, each list in the shape of `/skills`' items, `version` as `/healthz`. Answered with a strong
 * `ETag`; `If-None-Match` with it gives `304`.
 */
export interface ConfigResponse {
    version: string;
    agents: AgentInfo[];
    default_agent: string | null;
    skills: Record<string, SkillInfo[]>;
}
