/**
 * Reads `claude -p --output-format stream-json --verbose --include-partial-messages`, one line at a
 * time, into a turn's sink: text and thinking deltas as they stream, tool calls and results as
 * callouts, and each complete message for the canonical history. Keys are read by name, never by
 * position: newer CLIs order them differently (reference README §4).
 */
import type { CanonicalMessage, ContentBlock } from "../../messages";
import type { Usage } from "../../../shared/protocol/events";
import type { TurnSink } from "../types";

export interface CliResult {
    isError: boolean;
    /** The CLI's own words: the answer, or what went wrong. */
    text: string;
    apiErrorStatus: number | null;
}

interface Line {
    type?: string;
    subtype?: string;
    session_id?: string;
    memory_paths?: { auto?: unknown };
    parent_tool_use_id?: string | null;
    event?: { type?: string; message?: { id?: string }; delta?: { type?: string; text?: string; thinking?: string } };
    message?: { id?: string; model?: string; content?: unknown };
    error?: unknown;
    is_error?: boolean;
    result?: unknown;
    errors?: unknown;
    api_error_status?: unknown;
    usage?: Record<string, unknown>;
}

type Block = Record<string, unknown>;

export class StreamJsonReader {
    sessionId: string | undefined;
    /** The CLI's auto-memory folder, which sits in the project folder that holds its transcripts. */
    memoryPath: string | undefined;
    result: CliResult | undefined;
    /** Anything the person could see has arrived (text, thinking, a tool call). */
    shown = false;
    private current: { id: string; content: ContentBlock[] } | null = null;
    private streamingId: string | undefined;
    /** Messages whose text (or thinking) already arrived as deltas, so their full copy is not shown twice. */
    private readonly streamedText = new Set<string>();
    private readonly streamedThinking = new Set<string>();
    private readonly openTools = new Set<string>();

    constructor(private readonly sink: TurnSink) {}

    /** A tool is running: the CLI may rightly stay silent for as long as the tool takes. */
    get toolRunning(): boolean {
        return this.openTools.size > 0;
    }

    line(raw: string): void {
        let line: Line;
        try {
            line = JSON.parse(raw) as Line;
        } catch {
            return; // not a stream-json line (a stray warning): nothing the turn can use
        }
        if (typeof line !== "object" || line === null) return;
        // Lines of a sub-agent (the Task tool) are its own conversation, not this turn's.
        if (line.parent_tool_use_id) return;
        switch (line.type) {
            case "system":
                if (line.subtype !== "init") return;
                if (typeof line.session_id === "string") this.sessionId = line.session_id;
                if (typeof line.memory_paths?.auto === "string") this.memoryPath = line.memory_paths.auto;
                return;
            case "stream_event":
                return this.streamEvent(line.event);
            case "assistant":
                return this.assistant(line);
            case "user":
                return this.user(line);
            case "result":
                this.flush();
                this.result = readResult(line);
                if (line.usage) this.sink.usage?.(resultUsage(line.usage));
                return;
        }
    }

    /** The output ended: a message still open is complete as far as it goes. */
    end(): void {
        this.flush();
    }

    /**
     * The run was stopped while tools ran: each gets an error result, so the history never holds a
     * tool call without its result (which the model APIs refuse on the next turn).
     */
    abandonTools(why: string): void {
        if (this.openTools.size === 0) return;
        const results: ContentBlock[] = [];
        for (const id of this.openTools) {
            this.sink.toolResult({ tool_use_id: id, content: why, is_error: true });
            results.push({ type: "tool_result", tool_use_id: id, content: why, is_error: true });
        }
        this.openTools.clear();
        this.sink.message({ role: "user", content: results });
    }

    private streamEvent(event: Line["event"]): void {
        if (!event) return;
        if (event.type === "message_start") this.streamingId = event.message?.id;
        else if (event.type === "message_stop") this.flush();
        else if (event.type === "content_block_delta" && this.streamingId !== undefined) {
            const { delta } = event;
            if (delta?.type === "text_delta" && typeof delta.text === "string") {
                this.streamedText.add(this.streamingId);
                this.shown = true;
                this.sink.text(delta.text);
            } else if (delta?.type === "thinking_delta" && typeof delta.thinking === "string") {
                this.streamedThinking.add(this.streamingId);
                this.shown = true;
                this.sink.thinking(delta.thinking);
            }
        }
    }

    /** One `assistant` line per content block, all with the message's id: they are merged into one message. */
    private assistant(line: Line): void {
        const message = line.message;
        if (!message || typeof message.id !== "string") return;
        // An API failure comes as a synthetic message whose text is the error; the result line reports it.
        if (message.model === "<synthetic>" || line.error !== undefined) return;
        if (this.current && this.current.id !== message.id) this.flush();
        this.current ??= { id: message.id, content: [] };
        const blocks = Array.isArray(message.content) ? (message.content as Block[]) : [];
        for (const b of blocks) {
            if (b.type === "text" && typeof b.text === "string") {
                this.current.content.push({ type: "text", text: b.text });
                if (!this.streamedText.has(message.id)) this.sink.text(b.text);
            } else if (b.type === "thinking" && typeof b.thinking === "string") {
                const block: ContentBlock = { type: "thinking", thinking: b.thinking };
                if (typeof b.signature === "string") block.signature = b.signature;
                this.current.content.push(block);
                if (!this.streamedThinking.has(message.id)) this.sink.thinking(b.thinking);
            } else if (b.type === "tool_use" && typeof b.id === "string" && typeof b.name === "string") {
                this.current.content.push({ type: "tool_use", id: b.id, name: b.name, input: b.input ?? {} });
                this.openTools.add(b.id);
                this.sink.toolCall({ id: b.id, name: b.name, input: b.input ?? {} });
            } else continue;
            this.shown = true;
        }
    }

    private user(line: Line): void {
        this.flush();
        const blocks = Array.isArray(line.message?.content) ? (line.message.content as Block[]) : [];
        const results: ContentBlock[] = [];
        for (const b of blocks) {
            if (b.type !== "tool_result" || typeof b.tool_use_id !== "string") continue;
            const result = { tool_use_id: b.tool_use_id, content: resultText(b.content), is_error: b.is_error === true };
            this.openTools.delete(result.tool_use_id);
            this.sink.toolResult(result);
            results.push({ type: "tool_result", ...result });
        }
        if (results.length > 0) this.sink.message({ role: "user", content: results });
    }

    private flush(): void {
        const current = this.current;
        this.current = null;
        if (current && current.content.length > 0)
            this.sink.message({ role: "assistant", content: current.content } satisfies CanonicalMessage);
    }
}

/** A tool result is a string or a list of blocks; the canonical history keeps it as text. */
function resultText(content: unknown): string {
    if (typeof content === "string") return content;
    if (!Array.isArray(content)) return content === undefined || content === null ? "" : JSON.stringify(content);
    return (content as Block[])
        .map((b) => (b.type === "text" && typeof b.text === "string" ? b.text : `[${typeof b.type === "string" ? b.type : "content"}]`))
        .join("\n");
}

function readResult(line: Line): CliResult {
    const errors = Array.isArray(line.errors) ? line.errors.filter((e): e is string => typeof e === "string") : [];
    const text = typeof line.result === "string" && line.result !== "" ? line.result : errors.join("; ");
    const status = typeof line.api_error_status === "number" ? line.api_error_status : null;
    return { isError: line.is_error === true || (line.subtype !== undefined && line.subtype !== "success"), text, apiErrorStatus: status };
}

/** The `result` line's `usage`: the whole run's tokens, every model call of it summed by the CLI. */
function resultUsage(u: Record<string, unknown>): Partial<Usage> {
    const n = (key: string): number | undefined => (typeof u[key] === "number" ? u[key] : undefined);
    return {
        input_tokens: n("input_tokens"),
        output_tokens: n("output_tokens"),
        cache_read_tokens: n("cache_read_input_tokens"),
        cache_write_tokens: n("cache_creation_input_tokens"),
    };
}
