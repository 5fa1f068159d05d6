/**
 * How a turn ends (docs/api.md): its terminal event, `done` or `error`, is built here and nowhere else.
 * TurnRun sends it; a note with nothing to answer gets a lone `done` (TurnService.check). The routes and
 * frontends forward it, or the part of it their answer has (chatResponse, frontendEnd).
 */
import { ERROR_STATUS, LodgeError, type ErrorCode } from "../../shared/errors";
import { findFrontmatter } from "../../shared/note/frontmatter-bounds";
import type { ChatResponse } from "../../shared/protocol/api";
import type { DoneEvent, ErrorEvent, TerminalEvent } from "../../shared/protocol/events";
import type { FrontendEnd } from "../../shared/protocol/frontends";
import { BackendFailure } from "../backends/types";
import { type Logger, redact } from "../log";

/** Why a turn failed, as the person reads it: in the callout, the terminal event, the answer and the audit row. */
export interface TurnFailure {
    code: ErrorCode;
    message: string;
}

/** `done`: its `frontmatter` is the block that opens `new_content` (docs/api.md). */
export function doneEvent(data: Omit<DoneEvent, "frontmatter">): { event: "done"; data: DoneEvent } {
    const end = findFrontmatter(data.new_content)?.end ?? 0;
    return { event: "done", data: { ...data, frontmatter: data.new_content.slice(0, end) } };
}

export function errorEvent(failure: TurnFailure): { event: "error"; data: ErrorEvent } {
    return { event: "error", data: { code: failure.code, message: failure.message, status_code: ERROR_STATUS[failure.code] } };
}

/** The failure behind `err`, redacted like the log; anything but a known failure is logged with its stack. */
export function describeFailure(err: unknown, log: Logger): TurnFailure {
    if (err instanceof BackendFailure || err instanceof LodgeError) return { code: err.code, message: redact(err.message) };
    log.error(`turn failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { code: "backend_error", message: redact(`internal error: ${err instanceof Error ? err.message : String(err)}`) };
}

/** `POST /v1/chat`'s answer: the `done` event without the reply and the frontmatter. */
export function chatResponse(done: DoneEvent): ChatResponse {
    return {
        status: done.status,
        reason: done.reason,
        agent: done.agent,
        conversation_id: done.conversation_id,
        new_content: done.new_content,
    };
}

/**
 * The terminal event of a frontend's turn (docs/frontends.md): `done` names the note instead of carrying
 * it. Such a turn always has something to answer (FrontendTurns refuses the others), so it never ends `nothing_to_do`.
 */
export function frontendEnd(end: TerminalEvent, turn: { note: string; conversationId: string }): FrontendEnd {
    if (end.event === "error") return end;
    const { status, agent, conversation_id, usage } = end.data;
    return {
        event: "done",
        data: {
            status: status === "cancelled" ? "cancelled" : "ok",
            agent,
            conversation_id: conversation_id ?? turn.conversationId,
            note: turn.note,
            usage: usage ?? null,
        },
    };
}
