/**
 * The daemon's HTTP API (SPEC §5): routes and the JSON bodies they take and give. Public names:
 * never rename one. Offsets are JavaScript string indices (UTF-16 code units), as CodeMirror uses.
 */
import type { NothingToDoReason } from "../note/types";

export const ROUTES = {
    health: "/healthz",
    agents: "/v1/agents",
    chat: "/v1/chat",
    chatStream: "/v1/chat/stream",
    chatCancel: "/v1/chat/cancel",
} as const;

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

export type ChatStatus = "ok" | "nothing_to_do";

export interface ChatResponse {
    status: ChatStatus;
    reason?: NothingToDoReason;
    agent: string;
    conversation_id: string | null;
    new_content: string;
}

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
}

export interface AgentsResponse {
    agents: AgentInfo[];
    default_agent: string | null;
}
