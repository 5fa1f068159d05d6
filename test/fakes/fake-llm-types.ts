// The fake LLM's shapes: what a test scripts (FakeReply), what the fake records (RecordedRequest), and the
// contract between the server (fake-llm.ts) and the two wire formats it speaks (ReplyPlan, WireFormat).
export interface FakeToolCall {
    id?: string;
    name: string;
    input: unknown;
}

export interface FakeReply {
    /** Reply text, cut into chunks of `chunkSize` code points (default 8). Default: an echo of the last user turn. */
    text?: string;
    /** Explicit text chunks; overrides `text`. */
    chunks?: string[];
    chunkSize?: number;
    /** Pause before each text chunk. */
    chunkDelayMs?: number;
    /** Pause before the response headers. */
    firstByteDelayMs?: number;
    /** Streamed before the text: a thinking block (Anthropic) or `reasoning_content` deltas (OpenAI). */
    thinking?: string;
    /** Streamed after the text; the stop reason becomes "tool_use" / "tool_calls". */
    toolCalls?: FakeToolCall[];
    /** Answer with this HTTP status and the provider's JSON error body instead of a reply. */
    status?: number;
    errorMessage?: string;
    /** The retry-after header sent with `status`. */
    retryAfter?: string;
    /** Faults after N text chunks (after the last one if there are fewer): a torn connection, */
    dropAfterChunks?: number;
    /** a frame of broken JSON and the end of the response, */
    garbageAfterChunks?: number;
    /** or the provider's in-stream error frame and the end of the response. */
    streamErrorAfterChunks?: number;
    /** After N text chunks only keep-alives (Anthropic `ping` events, OpenAI `: keep-alive` comments) until the client hangs up; 0: none at all. */
    stallAfterChunks?: number;
    /** Interval of those keep-alives (default 50 ms). */
    keepAliveMs?: number;
    /** After N text chunks end the response cleanly, without the stream's end (`message_stop`, `finish_reason`, `[DONE]`). */
    endAfterChunks?: number;
    /** Status 200, stream headers, and an empty body. */
    emptyBody?: boolean;
    /** Accept the request and never answer, until the client hangs up or close() is called. */
    hang?: boolean;
    stopReason?: string;
    usage?: { input_tokens: number; output_tokens: number };
}

export interface RecordedRequest {
    /** "anthropic" and "openai" mark the model endpoints only; models lists, preconnects and the rest are "other". */
    api: "anthropic" | "openai" | "other";
    method: string;
    path: string;
    headers: Record<string, string | string[] | undefined>;
    /** Whatever JSON the client sent; tests dig into it freely. */
    body: any;
    receivedAt: number;
    firstChunkAt?: number;
}

export type ReplySource = FakeReply | ((req: RecordedRequest) => FakeReply);

/** A reply resolved against its request and cut into pieces, so a wire format only has to spell it. */
export interface ReplyPlan {
    id: string;
    model: string;
    thinkingChunks?: string[];
    /** Stands in for the signature the API attaches to thinking, which clients must send back verbatim. */
    signature: string;
    textChunks: string[];
    /** False when the reply is only tool calls: the APIs then send no text block at all. */
    hasText: boolean;
    toolCalls: Array<{ id: string; name: string; input: unknown; argChunks: string[] }>;
    stopReason?: string;
    usage: { input_tokens: number; output_tokens: number };
    requestBody: unknown;
}

export interface WireStream {
    /** Everything before the first text chunk: the message start, a thinking block, the text block's start. */
    open(): string;
    text(chunk: string): string;
    /** Everything after the last text chunk, through the end of the stream. */
    close(): string;
    streamError(message: string): string;
    garbage(): string;
    /** What the provider sends to keep an idle stream open: no content. */
    keepAlive(): string;
}

export interface WireFormat {
    messageIdPrefix: string;
    toolIdPrefix: string;
    requestIdHeader: string;
    defaultText(body: unknown): string;
    errorBody(status: number, message: string | undefined, requestId: string): unknown;
    complete(plan: ReplyPlan): unknown;
    stream(plan: ReplyPlan): WireStream;
}
