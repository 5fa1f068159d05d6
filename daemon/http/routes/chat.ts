/** `POST /v1/chat`, `/v1/chat/stream`, `/v1/chat/cancel` (docs/api.md): thin over TurnService. */
import type Router from "@koa/router";
import type { Context } from "koa";
import { LodgeError } from "../../../shared/errors";
import { findFrontmatter } from "../../../shared/note/frontmatter-bounds";
import { ROUTES, type CancelResponse, type ChatResponse } from "../../../shared/protocol/api";
import type { DoneEvent, StreamEvent } from "../../../shared/protocol/events";
import type { TokenService } from "../../services/tokens";
import type { Checked, TurnService } from "../../services/turn-service";
import { readJson } from "../body";
import { type EventStream, openEventStream } from "../event-stream";
import { type LodgeState, requireToken } from "../guards";

export interface ChatRouteDeps {
    turns: TurnService;
    tokens: TokenService;
    maxBodyBytes: number;
}

const actor = (ctx: Context): string | null => (ctx.state as LodgeState).token?.name ?? null;

function nothingToDoEvent(checked: Extract<Checked, { kind: "nothing_to_do" }>): DoneEvent {
    return {
        status: "nothing_to_do",
        reason: checked.reason,
        agent: checked.agent,
        conversation_id: checked.conversationId,
        reply: "",
        frontmatter: checked.text.slice(0, findFrontmatter(checked.text)?.end ?? 0),
        new_content: checked.text,
    };
}

export function chatRoutes(router: Router, deps: ChatRouteDeps): void {
    const auth = requireToken(deps.tokens, "messages");

    router.post(ROUTES.chat, auth, async (ctx) => {
        const checked = await deps.turns.check(await readJson(ctx, deps.maxBodyBytes), actor(ctx));
        if (checked.kind === "nothing_to_do") {
            const body: ChatResponse = { status: "nothing_to_do", reason: checked.reason, agent: checked.agent, conversation_id: checked.conversationId, new_content: checked.text };
            ctx.body = body;
            return;
        }
        let last: StreamEvent | null = null;
        const run = deps.turns.start({ ...checked, writer: "daemon" }, (event) => {
            if (event.event === "done" || event.event === "error") last = event;
        });
        await run.finished;
        const end = last as StreamEvent | null;
        if (end?.event === "error") throw new LodgeError(end.data.code, end.data.message);
        if (end?.event !== "done") throw new LodgeError("internal_error", "the turn ended without an answer");
        ctx.body = { status: end.data.status, agent: end.data.agent, conversation_id: end.data.conversation_id, new_content: end.data.new_content };
    });

    router.post(ROUTES.chatStream, auth, async (ctx) => {
        const checked = await deps.turns.check(await readJson(ctx, deps.maxBodyBytes), actor(ctx));
        const stream = openEventStream(ctx);
        if (checked.kind === "nothing_to_do") {
            stream.send({ event: "done", data: nothingToDoEvent(checked) });
            stream.end();
            return;
        }
        const run = deps.turns.start(checked, (event) => {
            stream.send(event);
            if (event.event === "done" || event.event === "error") stream.end();
        });
        // Closing the connection does not stop a turn; the daemon finishes and writes it.
        stream.onClientGone(() => run.detach());
    });

    // docs/daemon.md: join the turn running on a note; 404 when none runs.
    router.get(ROUTES.chatStream, auth, async (ctx) => {
        const filename = ctx.query.filename;
        if (typeof filename !== "string" || filename === "") throw new LodgeError("bad_request", 'give the note as "?filename=", once');
        // writer=editor: this follower puts the reply into its editor; the daemon stops writing the note while it stays (docs/daemon.md).
        const writer = ctx.query.writer ?? "daemon";
        if (writer !== "daemon" && writer !== "editor") throw new LodgeError("bad_request", '"writer" must be "daemon" or "editor", once');
        let stream: EventStream | null = null;
        const early: StreamEvent[] = [];
        const stop = await deps.turns.follow(filename, (event) => {
            if (!stream) return void early.push(event);
            stream.send(event);
            if (event.event === "done" || event.event === "error") stream.end();
        }, writer === "editor");
        if (!stop) throw new LodgeError("not_found", `no turn is running for ${filename}`);
        stream = openEventStream(ctx);
        for (const event of early) stream.send(event);
        if (early.some((e) => e.event === "done" || e.event === "error")) stream.end();
        // A follower leaving changes nothing of the turn.
        stream.onClientGone(stop);
    });

    router.post(ROUTES.chatCancel, auth, async (ctx) => {
        const body = await readJson(ctx, deps.maxBodyBytes);
        if (typeof body !== "object" || body === null || Array.isArray(body) || typeof (body as { filename?: unknown }).filename !== "string") {
            throw new LodgeError("bad_request", 'the body must be a JSON object with "filename", the note whose turn to stop');
        }
        const answer: CancelResponse = { cancelled: await deps.turns.cancel((body as { filename: string }).filename) };
        ctx.body = answer;
    });
}
