/** Talking to a daemon the way a client does: JSON requests, and SSE streams decoded event by event. */
import { applyDelta } from "../../shared/protocol/delta";
import { createParser } from "eventsource-parser";
import { EventDecoder, type StreamEvent } from "../../shared/protocol/events";

export interface Target {
    url: string;
    token: string;
}

export interface JsonAnswer {
    status: number;
    body: any;
    headers: Headers;
}

export async function call(
    d: Target,
    path: string,
    init: { method?: string; body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<JsonAnswer> {
    const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
    const token = init.token === undefined ? d.token : init.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${d.url}${path}`, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers,
        body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
        body = JSON.parse(text);
    } catch {
        // not JSON; keep the text
    }
    return { status: res.status, body, headers: res.headers };
}

export interface StreamResult {
    status: number;
    events: StreamEvent[];
    /** Bytes of the whole response body. */
    bytes: number;
    /** The reply rebuilt by applying every delta in order. */
    reply: string;
    body?: any;
    terminal?: StreamEvent;
}

/** POST /v1/chat/stream and read it to the end (or until `onEvent` returns "stop", which disconnects). */
export async function stream(
    d: Target,
    body: Record<string, unknown>,
    /** Called for every event with the reply as the client holds it after that event. */
    onEvent?: (event: StreamEvent, reply: string, index: number) => void | "stop" | Promise<void | "stop">,
): Promise<StreamResult> {
    const controller = new AbortController();
    const res = await fetch(`${d.url}/v1/chat/stream`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${d.token}` },
        body: JSON.stringify(body),
        signal: controller.signal,
    });
    if (!res.headers.get("content-type")?.startsWith("text/event-stream")) {
        return { status: res.status, events: [], bytes: 0, reply: "", body: (await res.json()) as unknown };
    }
    const decoder = new EventDecoder();
    const events: StreamEvent[] = [];
    const reader = res.body!.getReader();
    const text = new TextDecoder();
    let bytes = 0;
    let reply = "";
    try {
        for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            bytes += value.byteLength;
            for (const event of decoder.push(text.decode(value, { stream: true }))) {
                events.push(event);
                if (event.event === "delta") reply = applyDelta(reply, event.data);
                if ((await onEvent?.(event, reply, events.length - 1)) === "stop") {
                    controller.abort();
                    return { status: res.status, events, bytes, reply };
                }
            }
        }
    } catch (err) {
        if (!controller.signal.aborted) throw err;
    }
    const last = events[events.length - 1];
    return {
        status: res.status,
        events,
        bytes,
        reply,
        terminal: last && (last.event === "done" || last.event === "error") ? last : undefined,
    };
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(
    check: () => T | Promise<T>,
    timeoutMs = 5000,
    what = "condition",
): Promise<Exclude<NonNullable<T>, false>> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const value: unknown = await check();
        if (value !== undefined && value !== null && value !== false) return value as Exclude<NonNullable<T>, false>;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
    }
}

export interface SseEvent {
    event: string;
    data: any;
}

/**
 * A GET event stream (`/v1/chat/stream?filename=`, `/v1/events`) read with eventsource-parser, a
 * decoder the project did not write. `onEvent` returns "stop" to disconnect. Resolves with the
 * status and the events, or the JSON error body when the answer is not a stream.
 */
export async function follow(
    d: Target,
    path: string,
    onEvent: (event: SseEvent, all: SseEvent[]) => void | "stop",
): Promise<{ status: number; events: SseEvent[]; body?: any }> {
    const controller = new AbortController();
    const res = await fetch(`${d.url}${path}`, { headers: { authorization: `Bearer ${d.token}` }, signal: controller.signal });
    if (!res.headers.get("content-type")?.startsWith("text/event-stream"))
        return { status: res.status, events: [], body: (await res.json()) as unknown };
    const events: SseEvent[] = [];
    let stop = false;
    const parser = createParser({
        onEvent: (message) => {
            if (stop) return;
            events.push({ event: message.event ?? "message", data: JSON.parse(message.data) });
            if (onEvent(events.at(-1)!, events) === "stop") stop = true;
        },
    });
    const reader = res.body!.getReader();
    const text = new TextDecoder();
    try {
        while (!stop) {
            const { value, done } = await reader.read();
            if (done) break;
            parser.feed(text.decode(value, { stream: true }));
        }
    } finally {
        controller.abort();
    }
    return { status: res.status, events };
}
