// A local stand-in for the Anthropic Messages API and the OpenAI Chat Completions API, so tests and benches can
// drive the real SDKs (and CLIs built on them) with scripted replies and no network. The wire formats live in
// fake-llm-anthropic.ts and fake-llm-openai.ts; this file owns the server, the reply queue and the failure modes,
// which are the same for both.
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicWire } from "./fake-llm-anthropic";
import { openaiWire } from "./fake-llm-openai";
import type { FakeReply, RecordedRequest, ReplyPlan, ReplySource, WireFormat } from "./fake-llm-types";

export type { FakeReply, FakeToolCall, RecordedRequest, ReplySource } from "./fake-llm-types";

const MODELS = {
    object: "list",
    data: [{ id: "fake-model-1", object: "model", created: 0, owned_by: "fake" }],
    has_more: false,
    first_id: "fake-model-1",
    last_id: "fake-model-1",
};

export class FakeLlm {
    readonly url: string;
    readonly openaiUrl: string;
    readonly requests: RecordedRequest[] = [];
    onChunk?: (req: RecordedRequest, chunkIndex: number, text: string) => void;

    private readonly queue: ReplySource[] = [];
    private fallback: ReplySource | undefined;
    private readonly waiters: Array<{ n: number; resolve: () => void }> = [];
    private readonly counters = new Map<string, number>();
    // Wakes every pending delay and hanging reply when close() is called.
    private readonly closing = new AbortController();

    private constructor(private readonly server: Server) {
        const { port } = server.address() as AddressInfo;
        this.url = `http://127.0.0.1:${port}`;
        this.openaiUrl = `${this.url}/v1`;
    }

    static async start(): Promise<FakeLlm> {
        // noDelay: latency benches time single small chunks, which Nagle would hold back.
        const server = createServer({ noDelay: true });
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve());
        });
        const fake = new FakeLlm(server);
        server.on("request", (req: IncomingMessage, res: ServerResponse) => {
            fake.handle(req, res).catch(() => {
                // The client went away or a reply function threw: a torn connection is the honest answer.
                if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
                else res.destroy();
            });
        });
        return fake;
    }

    enqueue(...replies: ReplySource[]): void {
        this.queue.push(...replies);
    }

    setDefault(reply: ReplySource): void {
        this.fallback = reply;
    }

    waitForRequests(n: number, timeoutMs = 5000): Promise<void> {
        if (this.requests.length >= n) return Promise.resolve();
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                const seen = this.requests.map((r) => `${r.method} ${r.path}`).join(", ");
                reject(new Error(`FakeLlm: waited ${timeoutMs} ms for ${n} requests, got ${this.requests.length} (${seen})`));
            }, timeoutMs);
            this.waiters.push({
                n,
                resolve: () => {
                    clearTimeout(timer);
                    resolve();
                },
            });
        });
    }

    async close(): Promise<void> {
        this.closing.abort();
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private nextId(prefix: string): string {
        const n = (this.counters.get(prefix) ?? 0) + 1;
        this.counters.set(prefix, n);
        return `${prefix}${n}`;
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const receivedAt = performance.now();
        const raw = await readBody(req);
        const path = req.url ?? "/";
        const pathname = path.split("?")[0];
        const method = req.method ?? "GET";
        const api =
            method !== "POST"
                ? "other"
                : pathname === "/v1/messages"
                  ? "anthropic"
                  : pathname === "/v1/chat/completions"
                    ? "openai"
                    : "other";
        const rec: RecordedRequest = { api, method, path, headers: { ...req.headers }, body: parseJson(raw), receivedAt };
        this.requests.push(rec);
        for (const w of this.waiters.filter((w) => this.requests.length >= w.n)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve();
        }
        if (api === "other") {
            let body: unknown = {};
            if (method === "GET" && pathname === "/v1/models") body = MODELS;
            else if (method === "POST" && pathname === "/v1/messages/count_tokens")
                body = { input_tokens: estimateTokens(JSON.stringify(rec.body)) };
            res.writeHead(200, { "content-type": "application/json" }).end(method === "HEAD" ? undefined : JSON.stringify(body));
            return;
        }
        const wire = api === "anthropic" ? anthropicWire : openaiWire;
        const source = this.queue.shift() ?? this.fallback ?? {};
        const reply = typeof source === "function" ? source(rec) : source;
        await this.answer(rec, reply, wire, res);
    }

    private async answer(rec: RecordedRequest, reply: FakeReply, wire: WireFormat, res: ServerResponse): Promise<void> {
        // Ends on close() as well as on the client hanging up, so no timer or hang outlives either.
        const gone = AbortSignal.any([this.closing.signal, closeSignal(res)]);
        if (reply.hang) {
            await sleep(Infinity, gone);
            res.destroy();
            return;
        }
        await sleep(reply.firstByteDelayMs ?? 0, gone);
        if (gone.aborted) return;
        const requestId = this.nextId("req_fake");
        const headers: Record<string, string> = { [wire.requestIdHeader]: requestId };
        if (reply.status !== undefined) {
            if (reply.retryAfter !== undefined) headers["retry-after"] = reply.retryAfter;
            res.writeHead(reply.status, { ...headers, "content-type": "application/json" });
            res.end(JSON.stringify(wire.errorBody(reply.status, reply.errorMessage, requestId)));
            return;
        }
        const plan = this.plan(rec, reply, wire);
        if (rec.body?.stream !== true) {
            if (reply.dropAfterChunks !== undefined) return void res.destroy();
            res.writeHead(200, { ...headers, "content-type": "application/json" });
            res.end(reply.garbageAfterChunks !== undefined ? '{"id": garbage' : JSON.stringify(wire.complete(plan)));
            return;
        }
        res.writeHead(200, { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
        if (reply.emptyBody) return void res.end();
        const stream = wire.stream(plan);
        if (!(await write(res, stream.open()))) return;
        const chunks = plan.textChunks;
        // A fault "after N chunks" with fewer chunks than N fires after the last one, still before the stream's end.
        const faultAt = (n: number | undefined, k: number): boolean => n !== undefined && k === Math.min(n, chunks.length);
        for (let k = 0; ; k++) {
            if (faultAt(reply.dropAfterChunks, k)) return void res.destroy();
            if (faultAt(reply.garbageAfterChunks, k)) return void res.end(stream.garbage());
            if (faultAt(reply.streamErrorAfterChunks, k)) return void res.end(stream.streamError(reply.errorMessage ?? "Overloaded"));
            if (faultAt(reply.endAfterChunks, k)) return void res.end();
            if (faultAt(reply.stallAfterChunks, k)) {
                while (!gone.aborted && (await write(res, stream.keepAlive()))) await sleep(reply.keepAliveMs ?? 50, gone);
                return void res.destroy();
            }
            const chunk = chunks[k];
            if (chunk === undefined) break;
            await sleep(reply.chunkDelayMs ?? 0, gone);
            if (!(await write(res, stream.text(chunk)))) return;
            if (k === 0) rec.firstChunkAt = performance.now();
            this.onChunk?.(rec, k, chunk);
        }
        res.end(stream.close());
    }

    private plan(rec: RecordedRequest, reply: FakeReply, wire: WireFormat): ReplyPlan {
        const size = Math.max(1, reply.chunkSize ?? 8);
        const toolCalls = (reply.toolCalls ?? []).map((t) => ({
            id: t.id ?? this.nextId(wire.toolIdPrefix),
            name: t.name,
            input: t.input,
            argChunks: splitChunks(JSON.stringify(t.input ?? {}), size),
        }));
        const text = reply.text ?? (toolCalls.length > 0 ? "" : wire.defaultText(rec.body));
        const textChunks = reply.chunks ?? splitChunks(text, size);
        const output = [reply.thinking ?? "", ...textChunks, ...toolCalls.flatMap((t) => t.argChunks)].join("");
        const model: unknown = rec.body?.model;
        return {
            id: this.nextId(wire.messageIdPrefix),
            model: typeof model === "string" ? model : "fake-model-1",
            thinkingChunks: reply.thinking !== undefined ? splitChunks(reply.thinking, size) : undefined,
            signature: Buffer.from(`fake-signature:${reply.thinking ?? ""}`).toString("base64"),
            textChunks,
            hasText: textChunks.length > 0 || toolCalls.length === 0,
            toolCalls,
            stopReason: reply.stopReason,
            usage: reply.usage ?? {
                input_tokens: estimateTokens(JSON.stringify(rec.body?.messages ?? rec.body)),
                output_tokens: estimateTokens(output),
            },
            requestBody: rec.body,
        };
    }
}

/** Splits by code point, so a chunk boundary never halves a surrogate pair. */
function splitChunks(text: string, size: number): string[] {
    const points = Array.from(text);
    const out: string[] = [];
    for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(""));
    return out;
}

function estimateTokens(text: string): number {
    return Math.max(1, Math.ceil(text.length / 4));
}

async function readBody(req: IncomingMessage): Promise<string> {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    return Buffer.concat(parts).toString("utf8");
}

function parseJson(raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

function closeSignal(res: ServerResponse): AbortSignal {
    const ctl = new AbortController();
    if (res.destroyed) ctl.abort();
    else res.once("close", () => ctl.abort());
    return ctl.signal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (ms <= 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
        const done = (): void => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        };
        // setTimeout cannot take Infinity (it would fire at once); a hang only ends through the signal.
        const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
        signal.addEventListener("abort", done, { once: true });
    });
}

/** Resolves once the chunk is handed to the socket (so timings are honest), false if the client is gone. */
function write(res: ServerResponse, data: string): Promise<boolean> {
    if (res.destroyed || res.writableEnded) return Promise.resolve(false);
    return new Promise((resolve) => {
        const onClose = (): void => resolve(false);
        res.once("close", onClose);
        res.write(data, (err) => {
            res.off("close", onClose);
            resolve(err == null);
        });
    });
}
