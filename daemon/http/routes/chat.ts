/** `POST /v1/chat`, `/v1/chat/stream`, `/v1/chat/cancel` (docs/api.md): thin over TurnService. */
import type Router from "@koa/router";
import type { Context } from "koa";
import { LodgeError } from "../../../shared/errors";
import { ROUTES, type CancelRequest, type CancelResponse, type ChatResponse } from "../../../shared/protocol/api";
import { isTerminal, type StreamEvent } from "../../../shared/protocol/events";
import type { TokenService } from "../../services/tokens";
import { chatResponse } from "../../services/turn-end";
import type { TurnService } from "../../services/turn-service";
import { readJson } from "../body";
import { type EventStream, openEventStream } from "../event-stream";
import { type LodgeState, requireToken } from "../guards";

export interface ChatRouteDeps {
    turns: TurnService;
    tokens: TokenService;
    maxBodyBytes: number;
}

const actor = (ctx: Context): string | null => (ctx.state as LodgeState).token?.name ?? null;

function readCancel(body: unknown): CancelRequest {
    const filename =
        typeof body === "object" && body !== null && !Array.isArray(body)
            ? (body as Partial<Record<keyof CancelRequest, unknown>>).filename
            : undefined;
    if (typeof filename !== "string")
        throw new LodgeError("bad_request", 'the body must be a JSON object with "filename", the note whose turn to stop');
    return { filename };
}

export function chatRoutes(router: Router, deps: ChatRouteDeps): void {
    const auth = requireToken(deps.tokens, "messages");

    router.post(ROUTES.chat, auth, async (ctx) => {
        const checked = await deps.turns.check(await readJson(ctx, deps.maxBodyBytes), actor(ctx));
        let body: ChatResponse;
        if (checked.kind === "nothing_to_do") {
            body = chatResponse(checked.done.data);
        } else {
            const end = await deps.turns.start({ ...checked, writer: "daemon" }, () => undefined).finished;
            if (end.event === "error") throw new LodgeError(end.data.code, end.data.message);
            body = chatResponse(end.data);
        }
        ctx.body = body;
    });

    router.post(ROUTES.chatStream, auth, async (ctx) => {
        const checked = await deps.turns.check(await readJson(ctx, deps.maxBodyBytes), actor(ctx));
        const stream = openEventStream(ctx);
        if (checked.kind === "nothing_to_do") {
            stream.send(checked.done);
            stream.end();
            return;
        }
        const run = deps.turns.start(checked, (event) => {
            stream.send(event);
            if (isTerminal(event)) stream.end();
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
        const stop = await deps.turns.follow(
            filename,
            (event) => {
                if (!stream) return void early.push(event);
                stream.send(event);
                if (isTerminal(event)) stream.end();
            },
            writer === "editor",
        );
        if (!stop) throw new LodgeError("not_found", `no turn is running for ${filename}`);
        stream = openEventStream(ctx);
        for (const event of early) stream.send(event);
        if (early.some(isTerminal)) stream.end();
        // A follower leaving changes nothing of the turn.
        stream.onClientGone(stop);
    });

    router.post(ROUTES.chatCancel, auth, async (ctx) => {
        const { filename } = readCancel(await readJson(ctx, deps.maxBodyBytes));
        const answer: CancelResponse = { cancelled: await deps.turns.cancel(filename) };
        ctx.body = answer;
    });
}
