/** One streamed model call, as the Anthropic and OpenAI clients both provide it. */
import type { Usage } from "../../shared/protocol/events";
import type { CanonicalMessage } from "../messages";
import type { CallError } from "./retry";
import type { ToolSpec } from "./types";

export interface ModelRequest {
    model: string;
    system: string;
    messages: CanonicalMessage[];
    maxTokens: number;
    temperature?: number;
    tools: ToolSpec[];
    signal: AbortSignal;
}

/** Output as it streams; each call means the model has started answering. */
export interface ModelOutput {
    text(chunk: string): void;
    thinking(chunk: string): void;
    /** A piece of a tool call's arguments: not shown, but the model is answering, so not silence. */
    toolInput(chunk: string): void;
}

/**
 * The response ended without the provider's end of stream (Anthropic `message_stop`, OpenAI
 * `finish_reason`): an empty body or a cut stream. What arrived may look whole and is not.
 */
export class StreamCutError extends Error {
    constructor(provider: string, end: string) {
        super(`${provider}: the stream ended before ${end}; the reply may be cut short`);
    }
}

export interface ModelAnswer {
    message: CanonicalMessage;
    /** `tool_use` when the model waits for tool results. */
    stopReason: string;
    /** Tokens of this call, when the server reported them. */
    usage?: Partial<Usage>;
}

export interface ModelClient {
    call(request: ModelRequest, output: ModelOutput): Promise<ModelAnswer>;
    toCallError(err: unknown): CallError | null;
}

/** The history as APIs accept it: starting with the person, without empty messages. */
export function apiMessages(history: CanonicalMessage[]): CanonicalMessage[] {
    const messages = history.filter((m) => m.content.length > 0);
    if (messages[0]?.role === "assistant") {
        // A note may start with an assistant turn; APIs require the person to speak first.
        return [{ role: "user", content: [{ type: "text", text: "(The conversation begins with your message below.)" }] }, ...messages];
    }
    return messages;
}

/** A tool call's streamed JSON arguments; what does not parse is kept, so the model sees its mistake. */
export function parseToolInput(json: string): unknown {
    if (json.trim() === "") return {};
    try {
        return JSON.parse(json) as unknown;
    } catch {
        return { _unparsed: json };
    }
}

/**
 * A stream whose data is already buffered is read through promises alone, which never lets the event
 * loop take new connections: a fast 2 MB reply kept `/healthz` and SIGTERM waiting for seconds (issue 9).
 * Awaited once per streamed event, this gives the loop a turn after every 10 ms of continuous work.
 */
export function breather(sliceMs = 10): () => Promise<void> | undefined {
    let since = performance.now();
    return () => {
        if (performance.now() - since < sliceMs) return undefined;
        return new Promise<void>((resolve) =>
            setImmediate(() => {
                since = performance.now();
                resolve();
            }),
        );
    };
}
