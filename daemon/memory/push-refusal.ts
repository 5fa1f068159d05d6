/**
 * Refusing a push in words git shows the person. Git 2.39 prints neither a 413's body nor anything
 * of a torn connection ("early EOF", "RPC failed") for a push; what it does print is receive-pack's
 * own answer: side-band 2 messages as `remote:` lines and a report status whose `ng` reason appears
 * as `! [remote rejected] main -> main (reason)`. So a push that cannot be taken is read to its end
 * (git only reads the answer once it has sent everything) and answered in that protocol.
 */
import { Readable } from "node:stream";
import type { GitHttpAnswer } from "./git-http";

/** A body larger than this is not read to its end: the connection is cut instead. */
export const DRAIN_LIMIT_BYTES = 512 * 1024 * 1024;
/** Enough of a push's start to hold its commands (old, new, ref) and capabilities. */
const HEAD_BYTES = 64 * 1024;

export const RECEIVE_PACK_RESULT = "application/x-git-receive-pack-result";

/** Why a push over the limit is refused: a short reason for the refs, and a sentence for the person. */
export function overLimit(maxBytes: number): Refusal {
    const reason = `over the ${Number((maxBytes / 1024 / 1024).toFixed(2))} MB limit (http.max_body_mb)`;
    return {
        reason,
        message: `the push is ${reason}; nothing was changed. Push fewer or smaller files, or raise http.max_body_mb in config.yaml`,
    };
}

export interface Refusal {
    /** After each refused ref: `! [remote rejected] main -> main (reason)`. */
    reason: string;
    /** A `remote:` line. */
    message: string;
}

function pkt(data: Buffer | string): Buffer {
    const payload = Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8");
    return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, "0"), "ascii"), payload]);
}

const FLUSH = Buffer.from("0000", "ascii");

/** The refs a push names and the capabilities it asked for, read from its first pkt-lines. */
export function pushCommands(head: Buffer): { refs: string[]; caps: Set<string> } {
    const refs: string[] = [];
    let caps = new Set<string>();
    for (let at = 0; at + 4 <= head.length;) {
        const size = Number.parseInt(head.subarray(at, at + 4).toString("ascii"), 16);
        if (!Number.isFinite(size) || size === 0 || size < 4 || at + size > head.length) break;
        const line = head.subarray(at + 4, at + size).toString("utf8");
        at += size;
        const [command, capabilities] = line.split("\0");
        if (capabilities !== undefined) caps = new Set(capabilities.trim().split(" "));
        const m = /^[0-9a-f]{40,64} [0-9a-f]{40,64} (\S+)\s*$/.exec(command ?? "");
        if (m) refs.push(m[1]!);
    }
    return { refs, caps };
}

/** receive-pack's answer refusing every ref of the push, with the message as a `remote:` line when side-band is on. */
export function refusalAnswer(head: Buffer, { reason, message }: Refusal): Buffer {
    const { refs, caps } = pushCommands(head);
    const sideband = caps.has("side-band-64k") || caps.has("side-band");
    const parts: Buffer[] = [];
    if (sideband) parts.push(pkt(Buffer.concat([Buffer.from([2]), Buffer.from(`lodge: push refused: ${message}\n`, "utf8")])));
    if (caps.has("report-status") || caps.has("report-status-v2")) {
        const report = Buffer.concat([pkt(`unpack ${reason}\n`), ...refs.map((ref) => pkt(`ng ${ref} ${reason}\n`)), FLUSH]);
        parts.push(sideband ? pkt(Buffer.concat([Buffer.from([1]), report])) : report);
    }
    if (sideband) parts.push(FLUSH);
    return Buffer.concat(parts);
}

/**
 * Collects the start of a body (after what `already` holds) and reads the rest to its end without
 * keeping it; cuts the connection past DRAIN_LIMIT_BYTES. Resolves with the start.
 */
export function drainBody(body: Readable, already: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    return new Promise((resolve) => {
        let head = already;
        let seen = already.length;
        const done = (): void => {
            body.off("data", onData);
            resolve(head);
        };
        const onData = (chunk: Buffer): void => {
            seen += chunk.length;
            if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
            if (seen > DRAIN_LIMIT_BYTES) {
                body.destroy();
                done();
            }
        };
        if (body.readableEnded) return void resolve(head);
        body.on("data", onData);
        body.once("end", done);
        body.once("close", done);
        body.once("error", done);
        body.resume();
    });
}

/** Keeps the first HEAD_BYTES of what passes through it. */
export class HeadKeeper {
    head = Buffer.alloc(0);

    keep(chunk: Buffer): void {
        if (this.head.length < HEAD_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
    }
}

/** The whole answer to a push refused before git ran: read it to its end, then say why. */
export async function refusePush(body: Readable, refusal: Refusal): Promise<GitHttpAnswer> {
    const head = await drainBody(body);
    return {
        status: 200,
        headers: { "Content-Type": RECEIVE_PACK_RESULT, "Cache-Control": "no-cache" },
        body: Readable.from([refusalAnswer(head, refusal)]),
    };
}
