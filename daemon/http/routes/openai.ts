/**
 * `GET /v1/models` and `POST /v1/chat/completions` (docs/frontends.md): thin over OpenAiApi. The client
 * closing the connection before the answer stops the turn (the API has no other way to stop one);
 * the turn still ends as every turn does, in the database and the log note, marked stopped.
 */
import type Router from "@koa/router";
import type { Context } from "koa";
import { LodgeError } from "../../../shared/errors";
import { ROUTES } from "../../../shared/protocol/api";
import type { FrontendTurn } from "../../frontends/frontend-turns";
import { chunkBody, completionBody, completionId, type OpenAiApi, usageOf } from "../../frontends/openai-api";
import { readCompletionRequest } from "../../frontends/openai-request";
import type { TokenService } from "../../services/tokens";
import { readJson } from "../body";
import { openEventStream } from "../event-stream";
import { type LodgeState, requireToken } from "../guards";
import { openAiErrorBody } from "../openai-errors";

export interface OpenAiRouteDeps {
    api: OpenAiApi;
    tokens: TokenService;
    maxBodyBytes: number;
}

const actor = (ctx: Context): string | null => (ctx.state as LodgeState).token?.name ?? null;

/** Stops the turn when the client goes away before its answer. */
function cancelWhenGone(ctx: Context, turn: FrontendTurn): () => void {
    const gone = (): void => {
        if (!ctx.res.writableFinished) turn.run.cancel();
    };
    ctx.res.once("close", gone);
    if (ctx.res.closed || ctx.req.socket.destroyed) queueMicrotask(gone);
    return () => ctx.res.off("close", gone);
}

export function openAiRoutes(router: Router, deps: OpenAiRouteDeps): void {
    const auth = requireToken(deps.tokens, "messages");

    router.get(ROUTES.models, auth, (ctx) => {
        ctx.body = deps.api.models();
    });

    router.post(ROUTES.chatCompletions, auth, async (ctx) => {
        const req = readCompletionRequest(await readJson(ctx, deps.maxBodyBytes));
        const id = completionId();
        const created = Math.floor(Date.now() / 1000);
        if (!req.stream) {
            let text = "";
            const turn = await deps.api.start(req, actor(ctx), (chunk) => (text += chunk));
            const stopWatching = cancelWhenGone(ctx, turn);
            const end = await turn.ended;
            stopWatching();
            if (end.event === "error") throw new LodgeError(end.data.code, end.data.message);
            ctx.body = completionBody(id, created, req.model, text, usageOf(end));
            return;
        }
        const extra = req.includeUsage ? { usage: null } : {};
        let stream: ReturnType<typeof openEventStream> | null = null;
        const early: string[] = [];
        const turn = await deps.api.start(req, actor(ctx), (chunk) => {
            if (stream) stream.sendData({ ...chunkBody(id, created, req.model, { content: chunk }, null), ...extra });
            else early.push(chunk);
        });
        stream = openEventStream(ctx);
        stream.sendData({ ...chunkBody(id, created, req.model, { role: "assistant", content: "" }, null), ...extra });
        for (const chunk of early) stream.sendData({ ...chunkBody(id, created, req.model, { content: chunk }, null), ...extra });
        const open = stream;
        open.onClientGone(() => turn.run.cancel());
        void turn.ended.then((end) => {
            if (end.event === "error") {
                open.sendData(openAiErrorBody(new LodgeError(end.data.code, end.data.message)));
            } else {
                open.sendData({ ...chunkBody(id, created, req.model, {}, "stop"), ...extra });
                if (req.includeUsage)
                    open.sendData({ id, object: "chat.completion.chunk", created, model: req.model, choices: [], usage: usageOf(end) });
            }
            open.sendData("[DONE]");
            open.end();
        });
    });
}
