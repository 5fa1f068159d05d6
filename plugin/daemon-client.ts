/**
 * A typed client of the daemon's HTTP API (docs/api.md, docs/memory.md). The transport is injected: Obsidian's
 * `requestUrl` buffers the whole body and cannot be aborted, so streaming needs `fetch`, which main.ts
 * hands in; tests hand in a fake. Every failure becomes one of two errors the person can read:
 * DaemonError (the daemon answered with `{"error": {code, message}}`) or DaemonUnreachableError.
 */
import type {
    AgentsResponse,
    CancelRequest,
    CancelResponse,
    ChatRequest,
    ConfigResponse,
    ConversationWithMessages,
    HealthResponse,
    OpenNotesRequest,
    OpenNotesResponse,
} from "../shared/protocol/api";
import { ROUTES } from "../shared/protocol/api";
import { DAEMON_EVENT_NAMES, type DaemonEvent, EventDecoder, type StreamEvent } from "../shared/protocol/events";

export type Transport = (url: string, init: RequestInit) => Promise<Response>;

/** `GET /v1/config` (docs/memory.md): a new answer and its ETag, or 304 for the one the client holds. */
export type ConfigAnswer = { status: "ok"; config: ConfigResponse; etag: string | null } | { status: "not_modified" };

/** The daemon refused a request: its code and message, as it sent them. */
export class DaemonError extends Error {
    override readonly name = "DaemonError";
    constructor(
        readonly code: string,
        message: string,
        readonly status: number,
    ) {
        super(message);
    }
}

/** Nothing answered at the daemon's URL (not started, wrong port, refused by CORS). */
export class DaemonUnreachableError extends Error {
    override readonly name = "DaemonUnreachableError";
    constructor(
        readonly url: string,
        cause?: unknown,
    ) {
        super(`The Lodge daemon is not reachable at ${url}. Start it with "lodge start", or check the URL in settings.`);
        this.cause = cause;
    }
}

export interface DaemonClientOptions {
    baseUrl: () => string;
    token: () => string;
    transport: Transport;
}

export class DaemonClient {
    constructor(private readonly options: DaemonClientOptions) {}

    get baseUrl(): string {
        return this.options.baseUrl();
    }

    async health(): Promise<HealthResponse> {
        return (await this.json(ROUTES.health, { method: "GET" }, false)) as HealthResponse;
    }

    async agents(): Promise<AgentsResponse> {
        return (await this.json(ROUTES.agents, { method: "GET" })) as AgentsResponse;
    }

    async config(etag?: string): Promise<ConfigAnswer> {
        const headers: Record<string, string> = etag ? { "If-None-Match": etag } : {};
        const response = await this.send(ROUTES.config, { method: "GET", headers });
        if (response.status === 304) return { status: "not_modified" };
        if (!response.ok) throw await errorOf(response);
        return { status: "ok", config: (await response.json()) as ConfigResponse, etag: response.headers.get("ETag") };
    }

    /** `GET /v1/conversations/<id>`: the conversation with its messages and summed `usage`. */
    async conversation(id: string): Promise<ConversationWithMessages> {
        return (await this.json(`/v1/conversations/${encodeURIComponent(id)}`, { method: "GET" })) as ConversationWithMessages;
    }

    async cancel(filename: string): Promise<CancelResponse> {
        const body: CancelRequest = { filename };
        return (await this.json(ROUTES.chatCancel, { method: "POST", body: JSON.stringify(body) })) as CancelResponse;
    }

    /**
     * Starts a turn. Resolves once the daemon has accepted it (status 200), so a refusal (409, 400…)
     * rejects here; the events then arrive through the returned iterator until the stream ends.
     */
    async stream(request: ChatRequest, signal: AbortSignal): Promise<AsyncIterable<StreamEvent>> {
        const response = await this.send(ROUTES.chatStream, { method: "POST", body: JSON.stringify(request), signal });
        if (!response.ok) throw await errorOf(response);
        if (!response.body) throw new DaemonError("bad_response", "The daemon's answer has no body.", response.status);
        return readEvents(response.body);
    }

    /**
     * Follows the turn running on `filename` (docs/daemon.md) as the editor that holds the note
     * (`writer=editor`: the daemon stops writing the file while this stream lasts). 404 when none runs.
     */
    async follow(filename: string, signal: AbortSignal): Promise<AsyncIterable<StreamEvent>> {
        const query = `?filename=${encodeURIComponent(filename)}&writer=editor`;
        const response = await this.send(ROUTES.chatStream + query, { method: "GET", signal });
        if (!response.ok) throw await errorOf(response);
        if (!response.body) throw new DaemonError("bad_response", "The daemon's answer has no body.", response.status);
        return readEvents(response.body);
    }

    /** `GET /v1/events?client=` (docs/daemon.md): turns starting and ending, the configuration changing. */
    async events(client: string, signal: AbortSignal): Promise<AsyncIterable<DaemonEvent>> {
        const response = await this.send(`${ROUTES.events}?client=${encodeURIComponent(client)}`, { method: "GET", signal });
        if (!response.ok) throw await errorOf(response);
        if (!response.body) throw new DaemonError("bad_response", "The daemon's answer has no body.", response.status);
        return readEvents(response.body, new EventDecoder<DaemonEvent>(DAEMON_EVENT_NAMES));
    }

    /** `POST /v1/chat/open`: the chat notes this Obsidian has open (docs/plugin.md, "Questions from other devices"). */
    async reportOpen(client: string, filenames: string[]): Promise<OpenNotesResponse> {
        const body: OpenNotesRequest = { client, filenames };
        return (await this.json(ROUTES.chatOpen, { method: "POST", body: JSON.stringify(body) })) as OpenNotesResponse;
    }

    private async json(path: string, init: RequestInit, auth = true): Promise<unknown> {
        const response = await this.send(path, init, auth);
        if (!response.ok) throw await errorOf(response);
        return response.json();
    }

    private async send(path: string, init: RequestInit, auth = true): Promise<Response> {
        const headers = new Headers(init.headers);
        if (auth) headers.set("Authorization", `Bearer ${this.options.token()}`);
        if (init.body !== undefined) headers.set("Content-Type", "application/json");
        const url = this.baseUrl + path;
        try {
            return await this.options.transport(url, { ...init, headers });
        } catch (err) {
            if (init.signal?.aborted) throw err;
            throw new DaemonUnreachableError(this.baseUrl, err);
        }
    }
}

async function errorOf(response: Response): Promise<DaemonError> {
    const text = await response.text().catch(() => "");
    try {
        const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
        if (typeof body.error?.message === "string") {
            return new DaemonError(typeof body.error.code === "string" ? body.error.code : "error", body.error.message, response.status);
        }
    } catch {
        // Not JSON: fall through to the status line.
    }
    return new DaemonError(
        "http_error",
        `The daemon answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}.`,
        response.status,
    );
}

/** The SSE body as events, decoded incrementally as chunks arrive. */
async function* readEvents<E extends { event: string; data: unknown } = StreamEvent>(
    body: ReadableStream<Uint8Array>,
    decoder = new EventDecoder<E>(),
): AsyncGenerator<E> {
    const reader = body.getReader();
    const text = new TextDecoder();
    try {
        for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            yield* decoder.push(text.decode(value, { stream: true }));
        }
        yield* decoder.push(text.decode());
    } finally {
        reader.releaseLock();
    }
}
