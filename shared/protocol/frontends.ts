/**
 * `POST /v1/frontends/chat`: the turn route of Lodge's own frontends that are not the note
 * (`lodge chat`, `lodge acp`; docs/frontends.md). A Lodge addition (docs/frontends.md): the reply as the
 * backend gives it — raw text, thinking, tool calls — instead of the note's rendered deltas.
 */
import type { ErrorEvent, Usage } from "./events";

export const FRONTEND_CHAT_ROUTE = "/v1/frontends/chat";

export interface FrontendChatRequest {
    frontend: "cli" | "acp";
    message: string;
    agent?: string;
    /** Continue this conversation; an id no conversation has yet starts one with that id. */
    conversation_id?: string;
    /** Continue this vault note as a save would, instead of a logged conversation. */
    note?: string;
}

/** How a frontend's turn ends: `done` names the log note (or vault note) the turn was written to. */
export type FrontendEnd =
    | { event: "done"; data: { status: "ok" | "cancelled"; agent: string; conversation_id: string; note: string; usage: Usage | null } }
    | { event: "error"; data: ErrorEvent };

export type FrontendStreamEvent =
    | { event: "start"; data: { agent: string; conversation_id: string; note: string } }
    | { event: "text"; data: { text: string } }
    | { event: "thinking"; data: { text: string } }
    | { event: "tool_call"; data: { id: string; name: string; input: unknown } }
    | { event: "tool_result"; data: { id: string; content: string; is_error: boolean } }
    | FrontendEnd;

export const FRONTEND_EVENTS: ReadonlySet<string> = new Set(["start", "text", "thinking", "tool_call", "tool_result", "done", "error"]);
