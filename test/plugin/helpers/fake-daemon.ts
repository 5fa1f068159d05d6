/**
 * A scripted stand-in for the daemon's HTTP API at the transport level (the `fetch` the plugin is
 * given): records requests, answers JSON routes, and streams SSE frames for `/v1/chat/stream` through
 * a real ReadableStream, so the client's decoding across chunk boundaries is what runs.
 */
import { encodeEvent, type StreamEvent } from "../../../shared/protocol/events";
import type { Transport } from "../../../plugin/daemon-client";

export interface SentRequest {
    url: string;
    method: string;
    headers: Headers;
    body: unknown;
    signal?: AbortSignal;
}

type Answer = Response | ((req: SentRequest) => Response | Promise<Response>);

export class FakeDaemon {
    readonly requests: SentRequest[] = [];
    private readonly routes = new Map<string, Answer[]>();
    down = false;

    readonly transport: Transport = async (url, init) => {
        if (this.down) throw new TypeError("Failed to fetch");
        const req: SentRequest = {
            url,
            method: init.method ?? "GET",
            headers: new Headers(init.headers),
            body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
            signal: init.signal ?? undefined,
        };
        this.requests.push(req);
        const key = `${req.method} ${new URL(url).pathname}`;
        const queue = this.routes.get(key);
        const answer = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
        if (!answer) return json(404, { error: { code: "not_found", message: `no route ${key}` } });
        return abortable(typeof answer === "function" ? await answer(req) : answer.clone(), req.signal);
    };

    /** Answers `METHOD /path` with these, in turn (the last one repeats). */
    on(route: string, ...answers: Answer[]): this {
        this.routes.set(route, answers);
        return this;
    }

    requestsTo(route: string): SentRequest[] {
        return this.requests.filter((r) => `${r.method} ${new URL(r.url).pathname}` === route);
    }
}

/** As fetch does, an aborted request's body stops with an AbortError. */
function abortable(response: Response, signal?: AbortSignal): Response {
    if (!signal || !response.body) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
        start(controller) {
            signal.addEventListener("abort", () => {
                controller.error(new DOMException("The operation was aborted.", "AbortError"));
                void reader.cancel();
            });
        },
        async pull(controller) {
            const { done, value } = await reader.read();
            if (done) controller.close();
            else controller.enqueue(value);
        },
    });
    return new Response(body, { status: response.status, headers: response.headers });
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/**
 * An SSE stream the test feeds by hand: `send` events, `end` it, or `fail` it mid-way. Frames can be
 * split into chunks of `chunkSize` characters to exercise the decoder.
 */
export class SseScript {
    private controller!: ReadableStreamDefaultController<Uint8Array>;
    private readonly encoder = new TextEncoder();
    readonly response: Response;

    /** @param chunkSize bytes per chunk the client receives */
    constructor(private readonly chunkSize = Infinity) {
        const body = new ReadableStream<Uint8Array>({ start: (c) => void (this.controller = c) });
        this.response = new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
    }

    /** Sends the events' frames, cut every `chunkSize` bytes (through multi-byte characters too). */
    send(...events: StreamEvent[]): void {
        const bytes = this.encoder.encode(events.map(encodeEvent).join(""));
        const step = Math.min(this.chunkSize, bytes.length);
        for (let i = 0; i < bytes.length; i += step) this.controller.enqueue(bytes.slice(i, i + step));
    }

    raw(text: string): void {
        this.controller.enqueue(this.encoder.encode(text));
    }

    end(): void {
        this.controller.close();
    }

    fail(): void {
        this.controller.error(new TypeError("network error"));
    }
}

/** Lets pending promise callbacks and stream reads run. */
export async function settle(rounds = 20): Promise<void> {
    for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
