/**
 * A server-sent-event response: status 200 and headers at once, then frames as they come, a
 * `: ping` comment after 15 s without any frame, and a close signal when the client goes away.
 */
import { PassThrough } from "node:stream";
import type { Context } from "koa";
import { type DaemonEvent, encodeEvent, PING_FRAME, type StreamEvent } from "../../shared/protocol/events";
import type { FrontendStreamEvent } from "../../shared/protocol/frontends";

/** docs/api.md: a comment every 15 s keeps proxies and clients from timing out an idle stream. The
 * environment variable is a developer knob for tests, not part of the contract. */
const PING_MS = Number(process.env.LODGE_SSE_PING_MS ?? 15_000);

export interface EventStream {
    send(event: StreamEvent | DaemonEvent | FrontendStreamEvent): void;
    /** An SSE comment line: sends the headers at once on a stream that may stay quiet (a client's fetch resolves then). */
    comment(text: string): void;
    /** A frame of `data:` alone (the OpenAI-compatible stream's shape). */
    sendData(data: unknown): void;
    end(): void;
    /** Called once if the client disconnects before `end`. */
    onClientGone(callback: () => void): void;
}

export function openEventStream(ctx: Context): EventStream {
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.set({ "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no" });
    ctx.status = 200;
    const stream = new PassThrough();
    ctx.body = stream;
    let ended = false;
    let gone: (() => void) | null = null;
    let ping = setInterval(() => stream.write(PING_FRAME), PING_MS);
    const stop = (): void => {
        ended = true;
        clearInterval(ping);
    };
    ctx.res.on("close", () => {
        if (!ended) {
            stop();
            gone?.();
        }
    });
    const write = (frame: string): void => {
        if (ended) return;
        stream.write(frame);
        clearInterval(ping);
        ping = setInterval(() => stream.write(PING_FRAME), PING_MS);
    };
    return {
        send: (event) => write(encodeEvent(event)),
        comment(text) {
            if (!ended) stream.write(`: ${text}\n\n`);
        },
        sendData: (data) => write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`),
        end() {
            if (ended) return;
            stop();
            stream.end();
        },
        onClientGone(callback) {
            gone = callback;
            // The client may have left while the request was being checked, before this listener existed.
            // (The request stream itself is always destroyed by now: it ends once its body is read.)
            if (!ended && (ctx.res.closed || ctx.req.socket.destroyed)) {
                stop();
                queueMicrotask(callback);
            }
        },
    };
}
