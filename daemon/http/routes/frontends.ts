/**
 * `POST /v1/frontends/chat` (docs/frontends.md): the turn route of `lodge chat` and `lodge acp`,
 * thin over FrontendTurns. Like `/v1/chat/stream`, closing the connection does not stop the turn;
 * `POST /v1/chat/cancel` with the note does.
 */
import type Router from "@koa/router";
import type { Context } from "koa";
import { LodgeError } from "../../../shared/errors";
import { FRONTEND_CHAT_ROUTE, type FrontendChatRequest, type FrontendStreamEvent } from "../../../shared/protocol/frontends";
import type { FrontendTurns } from "../../frontends/frontend-turns";
import type { TokenService } from "../../services/tokens";
import { readJson } from "../body";
import { openEventStream } from "../event-stream";
import { type LodgeState, requireToken } from "../guards";

export interface FrontendRouteDeps {
    frontends: FrontendTurns;
    tokens: TokenService;
    maxBodyBytes: number;
}

function readRequest(body: unknown): FrontendChatRequest {
    if (typeof body !== "object" || body === null || Array.isArray(body))
        throw new LodgeError("bad_request", "the body must be a JSON object");
    const b = body as Record<string, unknown>;
    const problems: string[] = [];
    if (b.frontend !== "cli" && b.frontend !== "acp") problems.push('"frontend" must be "cli" or "acp"');
    if (typeof b.message !== "string") problems.push('"message" must be text');
    for (const key of ["agent", "conversation_id", "note"])
        if (b[key] !== undefined && (typeof b[key] !== "string" || b[key] === "")) problems.push(`"${key}" must be text`);
    if (problems.length > 0) throw new LodgeError("bad_request", problems.join("; "));
    return b as unknown as FrontendChatRequest;
}

export function frontendRoutes(router: Router, deps: FrontendRouteDeps): void {
    router.post(FRONTEND_CHAT_ROUTE, requireToken(deps.tokens, "messages"), async (ctx: Context) => {
        const req = readRequest(await readJson(ctx, deps.maxBodyBytes));
        const pending: FrontendStreamEvent[] = [];
        let send = (event: FrontendStreamEvent): void => void pending.push(event);
        const turn = await deps.frontends.start({
            frontend: req.frontend,
            actor: (ctx.state as LodgeState).token?.name ?? null,
            agent: req.agent,
            conversationId: req.conversation_id,
            note: req.note,
            message: req.message,
            tap: {
                text: (text) => send({ event: "text", data: { text } }),
                thinking: (text) => send({ event: "thinking", data: { text } }),
                toolCall: (call) => send({ event: "tool_call", data: { id: call.id, name: call.name, input: call.input } }),
                toolResult: (r) => send({ event: "tool_result", data: { id: r.tool_use_id, content: r.content, is_error: r.is_error } }),
            },
        });
        const stream = openEventStream(ctx);
        stream.send({ event: "start", data: { agent: turn.agent, conversation_id: turn.conversationId, note: turn.note } });
        for (const event of pending) stream.send(event);
        send = (event) => stream.send(event);
        void turn.ended.then((end) => {
            stream.send(end);
            stream.end();
        });
    });
}
