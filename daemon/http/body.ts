/**
 * Reads a JSON request body, refusing one over the limit at once (docs/api.md): a declared length over
 * the limit is answered before a byte is read, and a chunked body is cut off where it passes it.
 */
import type { Context } from "koa";
import { LodgeError } from "../../shared/errors";

/** After answering 413 the rest of a body is read and dropped (up to this much), so the client can read the answer. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

export async function readJson(ctx: Context, limitBytes: number): Promise<unknown> {
    const req = ctx.req;
    const declared = Number(ctx.get("Content-Length") || NaN);
    if (declared > limitBytes) refuse(ctx, limitBytes);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > limitBytes) refuse(ctx, limitBytes);
        chunks.push(chunk as Buffer);
    }
    let text: string;
    try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
        throw new LodgeError("bad_request", "the body is not valid UTF-8");
    }
    if (text.trim() === "") return {};
    try {
        return JSON.parse(text) as unknown;
    } catch {
        throw new LodgeError("bad_request", "the body is not valid JSON");
    }
}

function refuse(ctx: Context, limitBytes: number): never {
    ctx.set("Connection", "close");
    let drained = 0;
    ctx.req.on("data", (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > DRAIN_LIMIT) ctx.req.destroy();
    });
    ctx.req.resume();
    throw new LodgeError("payload_too_large", `the body is over the ${Math.round(limitBytes / 1024 / 1024)} MB limit (http.max_body_mb)`);
}
