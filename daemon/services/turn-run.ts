/**
 * One turn, from the checked request to the written note: resolve the conversation, stream the
 * backend's output into the reply as deltas, then place the reply, commit the history and end the
 * stream with exactly one terminal event.
 */
import { LodgeError, ERROR_STATUS, type ErrorCode } from "../../shared/errors";
import { composeNote } from "../../shared/note/compose";
import { findFrontmatter } from "../../shared/note/frontmatter-bounds";
import { replyAnchor } from "../../shared/note/failed-turn";
import { ReplyBuilder } from "../../shared/note/reply";
import { conversationTurns } from "../../shared/note/turns";
import type { ParsedNote } from "../../shared/note/types";
import { diffText } from "../../shared/protocol/delta";
import type { Frontend, StartEvent, StreamEvent } from "../../shared/protocol/events";
import type { Writer } from "../../shared/protocol/api";
import { randomUUID } from "node:crypto";
import { BackendFailure, type PreparedTurn, type ToolCall, type ToolResult, type TurnSink } from "../backends/types";
import type { AgentConfig } from "../config";
import type { Logger } from "../log";
import { answerOpenToolCalls, type CanonicalMessage } from "../messages";
import type { NotePath, Vault } from "../vault/vault";
import type { AgentRegistry } from "./agents";
import type { ConversationService, NoteConversation } from "./conversations";
import { planHistory } from "./history";
import { placeReply } from "./reply-placement";
import { toolHint, toolSummary } from "./tool-callouts";

export interface TurnEnv {
    vault: Vault;
    agents: AgentRegistry;
    conversations: ConversationService;
    /**
     * What the agent's memory adds to a turn whose system prompt would be `base`: memory blocks and the
     * skills' listing in the system prompt, tools, and the pending messages with the skills they load.
     */
    prepare(agent: AgentConfig, base: string, context: { kept: readonly CanonicalMessage[]; pending: readonly CanonicalMessage[] }): Promise<PreparedTurn>;
    audit(entry: { actor: string | null; notePath: string; agent: string; conversationId?: string; status: string; detail?: string }): Promise<void>;
    log: Logger;
}

export interface CheckedTurn {
    note: NotePath;
    /** The note's text as submitted (or read from disk). */
    text: string;
    /** True when the request carried the text and it must be written before the turn. */
    fromRequest: boolean;
    parsed: ParsedNote;
    agent: AgentConfig;
    writer: Writer;
    actor: string | null;
    /** Where the turn came from (`event: turn`, SPEC §15); "note" when absent. */
    frontend?: Frontend;
    /** The backend's output as it arrives, unrendered (other frontends, SPEC §13). */
    tap?: TurnTap;
}

/** What a frontend that is not the note sees of a turn: raw text, thinking and tool calls. */
export type TurnTap = Partial<Pick<TurnSink, "text" | "thinking" | "toolCall" | "toolResult">>;

export type TurnStatus = "ok" | "cancelled" | "error";

/** A conversation's title: the note's frontmatter `title`, else its file name without `.md`. */
function noteTitle(turn: CheckedTurn): string {
    return turn.parsed.settings.title ?? turn.note.relative.replace(/^.*\//, "").replace(/\.md$/i, "");
}

export class TurnRun {
    readonly finished: Promise<TurnStatus>;
    private readonly builder = new ReplyBuilder();
    private readonly controller = new AbortController();
    private sent = "";
    private detached = false;
    private cancelled = false;
    private readonly messages: CanonicalMessage[] = [];
    private partialText = "";
    private readonly toolCalls = new Map<string, { handle: number; call: ToolCall }>();
    private contentWritten: Promise<void> = Promise.resolve();
    private readonly followers = new Set<(event: StreamEvent) => void>();
    private started: StartEvent | null = null;
    private ended = false;

    constructor(
        private readonly env: TurnEnv,
        private readonly turn: CheckedTurn,
        private listener: (event: StreamEvent) => void,
    ) {
        this.finished = Promise.resolve().then(() => this.run());
    }

    /** Stops the backend; the reply ends with the stopped warning and is written like any other. */
    cancel(): void {
        this.cancelled = true;
        this.controller.abort();
    }

    /** The client went away: the turn goes on, and the daemon writes the note itself at the end. */
    detach(): void {
        this.detached = true;
        this.listener = () => undefined;
    }

    private emit(event: StreamEvent): void {
        if (event.event === "start") this.started = event.data;
        for (const listener of [this.listener, ...this.followers]) {
            try {
                listener(listener === this.listener || event.event !== "start" ? event : { event: "start", data: { ...event.data, rejoined: true } });
            } catch (err) {
                this.env.log.warn(`stream listener failed: ${String(err)}`);
            }
        }
        if (event.event === "done" || event.event === "error") {
            this.ended = true;
            this.followers.clear();
        }
    }

    /**
     * Follows the turn (SPEC §15): a `start` marked `rejoined`, the reply so far as one delta, then the
     * live events through the terminal one. Returns how to stop following, or null once the turn ended.
     */
    follow(listener: (event: StreamEvent) => void): (() => void) | null {
        if (this.ended) return null;
        if (this.started) {
            listener({ event: "start", data: { ...this.started, rejoined: true } });
            if (this.sent !== "") listener({ event: "delta", data: { at: 0, delete: 0, insert: this.sent } });
        }
        this.followers.add(listener);
        return () => this.followers.delete(listener);
    }

    private flush(): void {
        const next = this.builder.reply();
        const delta = diffText(this.sent, next);
        if (!delta) return;
        this.sent = next;
        this.emit({ event: "delta", data: delta });
    }

    private readonly sink: TurnSink = {
        text: (chunk) => {
            this.turn.tap?.text?.(chunk);
            this.partialText += chunk;
            this.builder.text(chunk);
            this.flush();
        },
        thinking: (chunk) => {
            this.turn.tap?.thinking?.(chunk);
            this.builder.thinking(chunk);
            this.flush();
        },
        toolCall: (call: ToolCall) => {
            this.turn.tap?.toolCall?.(call);
            this.toolCalls.set(call.id, { handle: this.builder.tool(call.name, toolHint(call), "running"), call });
            this.flush();
        },
        toolResult: (result: ToolResult) => {
            this.turn.tap?.toolResult?.(result);
            const open = this.toolCalls.get(result.tool_use_id);
            if (open) this.builder.toolSummary(open.handle, toolSummary(open.call, result));
            this.flush();
        },
        message: (message) => {
            this.messages.push(message);
            this.partialText = "";
        },
    };

    private async run(): Promise<TurnStatus> {
        const { turn, env } = this;
        let conversation: NoteConversation | null = null;
        let failure: { code: ErrorCode; message: string } | null = null;
        let forkedAt: number | undefined;
        let keep = 0;
        let pending: CanonicalMessage[] = [];
        // The submitted text goes to disk while the backend starts: it only has to be there before the reply.
        this.contentWritten = turn.fromRequest ? this.writeContent() : Promise.resolve();
        this.contentWritten.catch(() => undefined);
        try {
            conversation = await env.conversations.forNote(turn.note.relative, turn.parsed.settings.conversation_id, turn.agent.name, noteTitle(turn));
            this.emit({ event: "start", data: { agent: turn.agent.name, conversation_id: conversation.id, anchor: replyAnchor(turn.text, turn.parsed.turns) } });
            this.flush();
            const plan = planHistory(conversation.stored, conversationTurns(turn.parsed.turns));
            ({ keep, forkedAt } = plan);
            const settings = turn.parsed.settings;
            const kept = conversation.stored.slice(0, keep);
            const prepared = await env.prepare(turn.agent, settings.system ?? turn.agent.system, { kept, pending: plan.pending });
            pending = prepared.pending;
            await env.agents.backend(turn.agent).run(
                {
                    agent: turn.agent,
                    model: settings.model ?? turn.agent.model,
                    system: prepared.system,
                    maxTokens: settings.max_tokens ?? turn.agent.max_tokens,
                    temperature: settings.temperature ?? turn.agent.temperature,
                    history: [...kept, ...pending],
                    conversationId: conversation.id,
                    tools: prepared.tools,
                    signal: this.controller.signal,
                },
                this.sink,
            );
        } catch (err) {
            if (!this.cancelled) failure = describeFailure(err, env.log);
        }
        if (this.partialText.trim() !== "") this.messages.push({ role: "assistant", content: [{ type: "text", text: this.partialText }] });
        const status: TurnStatus = failure ? "error" : this.cancelled ? "cancelled" : "ok";
        if (status === "ok") this.builder.finish();
        else if (status === "cancelled") this.builder.stop();
        else this.builder.fail(failure!.message);
        this.flush();
        return this.finish(status, failure, conversation, { keep, pending, forkedAt });
    }

    private async finish(
        status: TurnStatus,
        failure: { code: ErrorCode; message: string } | null,
        conversation: NoteConversation | null,
        plan: { keep: number; pending: CanonicalMessage[]; forkedAt?: number },
    ): Promise<TurnStatus> {
        const { turn, env } = this;
        let newContent = turn.text;
        try {
            await this.contentWritten;
            if (conversation) {
                const updates = { agent: turn.agent.name, conversation_id: conversation.id };
                newContent = await this.place(this.builder.reply(), updates);
                await this.commit(conversation, plan);
            }
        } catch (err) {
            failure ??= describeFailure(err, env.log);
            status = "error";
        }
        await env.audit({
            actor: turn.actor, notePath: turn.note.relative, agent: turn.agent.name, conversationId: conversation?.id, status, detail: failure?.message,
        }).catch((err: unknown) => env.log.warn(`audit failed: ${String(err)}`));
        if (failure) {
            this.emit({ event: "error", data: { code: failure.code, message: failure.message, status_code: ERROR_STATUS[failure.code] } });
        } else {
            const end = findFrontmatter(newContent)?.end ?? 0;
            this.emit({
                event: "done",
                data: {
                    status: status === "cancelled" ? "cancelled" : "ok",
                    agent: turn.agent.name,
                    conversation_id: conversation!.id,
                    reply: this.builder.reply(),
                    frontmatter: newContent.slice(0, end),
                    new_content: newContent,
                },
            });
        }
        return status;
    }

    private async writeContent(): Promise<void> {
        const { vault } = this.env;
        if ((await vault.read(this.turn.note).catch(() => null)) !== this.turn.text) await vault.write(this.turn.note, this.turn.text);
    }

    /** Writes the note when the daemon is the writer (or the editor went away); returns the final text. */
    private async place(reply: string, updates: { agent: string; conversation_id: string }): Promise<string> {
        const { turn, env } = this;
        if (turn.writer === "editor" && !this.detached) return composeNote(turn.text, reply, updates);
        const disk = await env.vault.read(turn.note).catch(() => null);
        if (disk === null) {
            // The note was deleted during the turn: it stays deleted; the reply is in the history.
            env.log.warn(`${turn.note.relative} is gone; the reply was not written`);
            return composeNote(turn.text, reply, updates);
        }
        const final = placeReply(disk, reply, updates, turn.writer === "editor" ? turn.text : undefined);
        await env.vault.write(turn.note, final);
        return final;
    }

    private async commit(conversation: NoteConversation, plan: { keep: number; pending: CanonicalMessage[]; forkedAt?: number }): Promise<void> {
        // A turn that produced no text leaves the history alone: the note shows no assistant turn for it,
        // so storing its user message would make the next turn look like an edit.
        const hasText = this.messages.some((m) => m.role === "assistant" && m.content.some((b) => b.type === "text" && b.text.trim() !== ""));
        if (!hasText) return;
        await this.env.conversations.store.commitTurn({
            conversationId: conversation.id,
            keep: plan.keep,
            branch: plan.forkedAt !== undefined ? { id: randomUUID(), forkedAt: plan.forkedAt, messages: conversation.stored } : undefined,
            append: answerOpenToolCalls([...plan.pending, ...this.messages]),
            agent: this.turn.agent.name,
            title: noteTitle(this.turn),
            notePath: this.turn.note.relative,
        });
    }
}

function describeFailure(err: unknown, log: Logger): { code: ErrorCode; message: string } {
    if (err instanceof BackendFailure || err instanceof LodgeError) return { code: err.code, message: err.message };
    log.error(`turn failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { code: "backend_error", message: `internal error: ${err instanceof Error ? err.message : String(err)}` };
}
