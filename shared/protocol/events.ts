/**
 * Server-sent events of `POST /v1/chat/stream` (docs/api.md): their shapes, the encoder the daemon
 * uses and the incremental decoder clients use. One terminal event (`done` or `error`) ends a stream.
 */
import type { ErrorCode } from "../errors";
import type { NothingToDoReason } from "../note/types";
import type { Delta } from "./delta";

export interface StartEvent {
    agent: string;
    conversation_id: string;
    /**
     * Where the reply starts in the submitted note (note/failed-turn.ts `replyAnchor`): the reply
     * replaces everything after it — the trailing whitespace, and a failed turn it retries.
     */
    anchor: number;
    /** Set on a stream that joined a running turn (`GET /v1/chat/stream`, docs/daemon.md). */
    rejoined?: true;
}

export type DeltaEvent = Delta;

/** `done.status`, and `status` of `POST /v1/chat`'s answer (route-docs.ts describes both from this list). */
export const DONE_STATUSES = ["ok", "cancelled", "nothing_to_do"] as const;
export type DoneStatus = (typeof DONE_STATUSES)[number];

export interface DoneEvent {
    status: DoneStatus;
    reason?: NothingToDoReason;
    agent: string;
    conversation_id: string | null;
    /** The rendered reply: from `\n\n### Assistant:` through the scaffold. Empty for nothing_to_do. */
    reply: string;
    /** The final frontmatter block, opening `---` through the closing `---` line and its break, or "". */
    frontmatter: string;
    new_content: string;
    /** The turn's token usage as the backend reported it (docs/context.md); zeros when it reported none. */
    usage?: Usage;
}

/** Token usage of a turn, or summed over a conversation (docs/context.md). */
export interface Usage {
    input_tokens: number;
    output_tokens: number;
    cache_read_tokens: number;
    cache_write_tokens: number;
}

export const NO_USAGE: Readonly<Usage> = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 };

export interface ErrorEvent {
    code: ErrorCode;
    message: string;
    status_code: number;
}

export type StreamEvent =
    | { event: "start"; data: StartEvent }
    | { event: "delta"; data: DeltaEvent }
    | { event: "done"; data: DoneEvent }
    | { event: "error"; data: ErrorEvent };

/** The one event that ends a stream: `done` or `error`. */
export type TerminalEvent = Extract<StreamEvent, { event: "done" | "error" }>;

/** Whether `event` ends its stream (a chat stream, or a frontend's stream of shared/protocol/frontends.ts). */
export function isTerminal<E extends { event: string }>(event: E): event is Extract<E, { event: "done" | "error" }> {
    return event.event === "done" || event.event === "error";
}

/** Where a turn came from, in `event: turn` (docs/frontends.md, docs/daemon.md). */
export type Frontend = "note" | "watch" | "openai" | "cli" | "acp";

export type TurnState = "started" | "ok" | "cancelled" | "error";

/** `event: turn` of `GET /v1/events` (docs/daemon.md): a turn started or ended. */
export interface TurnStateEvent {
    filename: string;
    agent: string;
    conversation_id: string | null;
    frontend: Frontend;
    state: TurnState;
}

/** The events of `GET /v1/events` (docs/daemon.md). */
export type DaemonEvent = { event: "turn"; data: TurnStateEvent } | { event: "config"; data: { etag: string } };

/** One SSE frame. JSON never contains a raw line break, so one `data:` line always suffices. */
export function encodeEvent(event: StreamEvent | DaemonEvent | { event: string; data: unknown }): string {
    return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

export const PING_FRAME = ": ping\n\n";

/** The event names of a chat stream (the decoder's default) and of `GET /v1/events`. */
const STREAM_EVENT_NAMES: ReadonlySet<string> = new Set(["start", "delta", "done", "error"]);
export const DAEMON_EVENT_NAMES: ReadonlySet<string> = new Set(["turn", "config"]);

/**
 * Incremental SSE decoder: feed it text as it arrives, get whole events back. Comments (`: ping`)
 * and unknown event names are skipped; `\r\n` and `\r` line ends are accepted, as the SSE spec says.
 *
 * Kept hand-written rather than eventsource-parser (docs/api.md, "Reading the streams"): it lives in
 * shared/, which takes no packages but yaml and gray-matter, and ships inside the plugin's main.js and the
 * CLI; the daemon sends only `event:` + one `data:` line + comments, so `id`, `retry` and a BOM never
 * occur; and the JSON parsing and event-name filtering around a parser would stay ours anyway. The
 * package stays a devDependency: tests read GET streams with it (test/helpers/client.ts `follow`), a
 * decoder we did not write checking that the daemon's frames are standard SSE.
 */
export class EventDecoder<E extends { event: string; data: unknown } = StreamEvent> {
    private buffer = "";
    private name = "";
    private data: string[] = [];

    /** `known`: the event names to decode (`DAEMON_EVENT_NAMES` for `GET /v1/events`). */
    constructor(private readonly known: ReadonlySet<string> = STREAM_EVENT_NAMES) {}

    push(chunk: string): E[] {
        this.buffer += chunk;
        const events: E[] = [];
        let start = 0;
        for (;;) {
            const nl = this.buffer.slice(start).search(/\r\n|\r|\n/);
            if (nl < 0) break;
            const lineEnd = start + nl;
            // A lone \r at the very end may be the first half of \r\n: wait for more.
            if (this.buffer[lineEnd] === "\r" && lineEnd + 1 === this.buffer.length) break;
            const breakLength = this.buffer.startsWith("\r\n", lineEnd) ? 2 : 1;
            const line = this.buffer.slice(start, lineEnd);
            start = lineEnd + breakLength;
            const event = this.line(line);
            if (event) events.push(event);
        }
        this.buffer = this.buffer.slice(start);
        return events;
    }

    private line(line: string): E | null {
        if (line === "") {
            const name = this.name || "message";
            const data = this.data.join("\n");
            this.name = "";
            this.data = [];
            if (!this.known.has(name) || data === "") return null;
            return { event: name, data: JSON.parse(data) as unknown } as E;
        }
        if (line.startsWith(":")) return null;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") this.name = value;
        else if (field === "data") this.data.push(value);
        return null;
    }
}
