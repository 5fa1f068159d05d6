/**
 * What every backend does: run one turn of an agent over the canonical history and report, as they
 * happen, the text, thinking and tool calls it produces, plus each complete message for the history.
 */
import type { AgentConfig } from "../config";
import type { CanonicalMessage } from "../messages";
import type { Usage } from "../../shared/protocol/events";

export interface TurnInput {
    agent: AgentConfig;
    model: string;
    system: string;
    maxTokens: number;
    temperature?: number;
    /** The history to send, ending with the person's new message. */
    history: CanonicalMessage[];
    conversationId: string;
    /** Tools the daemon runs for the model (memory tools); absent when the agent has none. */
    tools?: ToolBox;
    signal: AbortSignal;
}

/** A tool as the model is told about it (both clients translate it to their wire format). */
export interface ToolSpec {
    name: string;
    description: string;
    input_schema: Record<string, unknown>;
}

export interface ToolBox {
    specs: ToolSpec[];
    /** Runs one call. A tool's own failure is a result with `is_error`, never a throw. */
    run(call: ToolCall): Promise<ToolResult>;
}

/** What an agent's memory adds to a turn before it runs (docs/memory.md). */
export interface PreparedTurn {
    system: string;
    tools?: ToolBox;
    /** The note's new messages, with what they load (skills' bodies, linked notes) after the person's text. */
    pending: CanonicalMessage[];
    /**
     * What goes to the backend when it is not the kept history and `pending` as they are: history left
     * out to fit the window, images filled in from the vault (docs/context.md; daemon/context/).
     */
    send?: CanonicalMessage[];
    /** The `[!info]- context:` callout's title and lines, when something was added or left out. */
    info?: { title: string; lines: string[] };
}

export interface ToolCall {
    id: string;
    name: string;
    input: unknown;
}

export interface ToolResult {
    tool_use_id: string;
    content: string;
    is_error: boolean;
}

/** Receives a turn's output as it happens. */
export interface TurnSink {
    text(chunk: string): void;
    thinking(chunk: string): void;
    toolCall(call: ToolCall): void;
    toolResult(result: ToolResult): void;
    /** A complete message for the canonical history (an assistant message, or tool results). */
    message(message: CanonicalMessage): void;
    /** Token usage of one model call, as the backend reported it; a turn's calls add up. */
    usage?(usage: Partial<Usage>): void;
}

export interface Backend {
    /** Runs the turn to its end. Throws BackendFailure; the sink keeps whatever arrived before. */
    run(input: TurnInput, sink: TurnSink): Promise<void>;
}

export type FailureCode = "backend_unavailable" | "backend_error";

/** A backend's failure, classified for the person (docs/api.md "Backends' failures"). */
export class BackendFailure extends Error {
    override readonly name = "BackendFailure";

    constructor(
        readonly code: FailureCode,
        message: string,
        /** The backend's HTTP status, when it answered with one. */
        readonly upstreamStatus?: number,
    ) {
        super(message);
    }
}

/** The turn used every tool round its agent allows (`max_tool_rounds`) and the model still wanted more. */
export class ToolRoundsExhausted extends BackendFailure {
    constructor(rounds: number, agent: string) {
        super(
            "backend_error",
            `the agent stopped after ${rounds} tool rounds without a final answer (max_tool_rounds is ${rounds}); ask it to go on, or raise agents.${agent}.max_tool_rounds in config.yaml`,
        );
    }
}
