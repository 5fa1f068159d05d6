/**
 * One turn, from the checked request to the written note: resolve the conversation, stream the
 * backend's output into the reply as deltas, then place the reply, commit the history and end the
 * stream with exactly one terminal event.
 */
import { LodgeError, ERROR_STATUS, type ErrorCode } from "../../shared/errors";
import { composeNote } from "../../shared/note/compose";
import { findFrontmatter } from "../../shared/note/frontmatter-bounds";
import { replyAnchor } from "../../shared/note/failed-turn";
import { lineEnding } from "../../shared/note/markdown-lines";
import { ReplyBuilder } from "../../shared/note/reply";
import { conversationTurns } from "../../shared/note/turns";
import type { ParsedNote } from "../../shared/note/types";
import { type Frontend, NO_USAGE, type StartEvent, type StreamEvent, type Usage } from "../../shared/protocol/events";
import type { Writer } from "../../shared/protocol/api";
import { BackendFailure, ToolRoundsExhausted, type PreparedTurn, type ToolCall, type ToolResult, type TurnSink } from "../backends/types";
import type { AgentConfig } from "../config";
import { type Logger, redact } from "../log";
import { answerOpenToolCalls, type CanonicalMessage } from "../messages";
import type { NotePath, Vault } from "../vault/vault";
import type { AgentRegistry } from "./agents";
import type { ConversationService, NoteConversation } from "./conversations";
import { cleanSink } from "./clean-sink";
import { planHistory } from "./history";
import { ProgressWriter } from "./progress-writer";
import { placeReply, replyTarget } from "./reply-placement";
import { toolHint, toolSummary } from "./tool-callouts";

export interface TurnEnv {
    vault: Vault;
    agents: AgentRegistry;
    conversations: ConversationService;
    /**
     * What the agent's memory adds to a turn whose system prompt would be `base`: memory blocks and the
     * skills' listing in the system prompt, tools, and the pending messages with the skills they load.
     */
    prepare(agent: AgentConfig, base: string, context: TurnContext): Promise<PreparedTurn>;
    /** Keeps a turn's token usage (docs/context.md). */
    usage?(conversationId: string, usage: Usage): Promise<void>;
    /** `chats.progress_ms`: partial replies on disk for turns the daemon writes (0 or absent: only at the end). */
    progressMs?: number;
    audit(entry: { actor: string | null; notePath: string; agent: string; conversationId?: string; status: string; detail?: string }): Promise<void>;
    log: Logger;
}

/** What `prepare` knows of the turn: the history it continues, and the note it answers. */
export interface TurnContext {
    kept: readonly CanonicalMessage[];
    pending: readonly CanonicalMessage[];
    /** The chat note: where links are resolved from, and its frontmatter (pinned notes, docs/context.md). */
    note?: { path: string; frontmatter: Record<string, unknown> | null };
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
    /** Where the turn came from (`event: turn`, docs/daemon.md); "note" when absent. */
    frontend?: Frontend;
    /** The backend's output as it arrives, unrendered (other frontends, docs/frontends.md). */
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
    private readonly builder: ReplyBuilder;
    private readonly controller = new AbortController();
    private detached = false;
    private cancelled = false;
    private readonly messages: CanonicalMessage[] = [];
    private partialText = "";
    private readonly toolCalls = new Map<string, { handle: number; call: ToolCall }>();
    private contentWritten: Promise<void> = Promise.resolve();
    private readonly followers = new Set<(event: StreamEvent) => void>();
    /** Followers that put the reply into an editor (docs/daemon.md handover): while one is here the daemon does not write the note. */
    private readonly holders = new Set<(event: StreamEvent) => void>();
    private everHeld = false;
    private readonly progress: ProgressWriter;
    private started: StartEvent | null = null;
    private ended = false;
    private usage: Usage | null = null;
    /** The tool-round cap ended the turn: its rounds are stored even without text. */
    private roundsExhausted = false;
    /** Why the reply could not be written (its note was replaced by something else during the turn). */
    private notPlaced: string | null = null;

    constructor(
        private readonly env: TurnEnv,
        private readonly turn: CheckedTurn,
        private listener: (event: StreamEvent) => void,
    ) {
        this.builder = new ReplyBuilder({ crlf: lineEnding(turn.text) === "\r\n" });
        this.progress = new ProgressWriter(env.vault, turn.note, turn.text, env.progressMs ?? 0, env.log);
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
            this.holders.clear();
        }
    }

    /**
     * Follows the turn (docs/daemon.md): a `start` marked `rejoined`, the reply so far as one delta, then the
     * live events through the terminal one. Returns how to stop following, or null once the turn ended.
     */
    follow(listener: (event: StreamEvent) => void, holds = false): (() => void) | null {
        if (this.ended) return null;
        if (holds) {
            this.holders.add(listener);
            this.everHeld = true;
        }
        if (this.started) {
            listener({ event: "start", data: { ...this.started, rejoined: true } });
            if (this.sent !== "") listener({ event: "delta", data: { at: 0, delete: 0, insert: this.sent } });
        }
        this.followers.add(listener);
        return () => {
            this.followers.delete(listener);
            this.holders.delete(listener);
        };
    }

    /** An editor puts the reply in place: the turn's own client (writer `editor`) or a follower that holds the note. */
    private editorHolds(): boolean {
        return (this.turn.writer === "editor" && !this.detached) || this.holders.size > 0;
    }

    /** The reply as the deltas sent so far give it (every change to the builder is flushed at once). */
    private get sent(): string {
        return this.started ? this.builder.reply() : "";
    }

    private flush(): void {
        const delta = this.builder.delta();
        if (!delta) return;
        this.emit({ event: "delta", data: delta });
        // Rendered only when a progress write is due: rendering the whole reply per chunk is what issue 9 removed.
        this.progress.update(() => this.builder.reply(), this.editorHolds());
    }

    private readonly sink: TurnSink = cleanSink({
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
        usage: (u) => {
            this.usage = addUsage(this.usage ?? { ...NO_USAGE }, u);
        },
    });

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
            this.progress.begin({ agent: turn.agent.name, conversation_id: conversation.id }, this.contentWritten);
            this.flush();
            const plan = planHistory(conversation.stored, conversationTurns(turn.parsed.turns));
            ({ keep, forkedAt } = plan);
            const settings = turn.parsed.settings;
            const kept = conversation.stored.slice(0, keep);
            const note = { path: turn.note.relative, frontmatter: turn.parsed.frontmatter?.data ?? null };
            const prepared = await env.prepare(turn.agent, settings.system ?? turn.agent.system, { kept, pending: plan.pending, note });
            pending = prepared.pending;
            if (prepared.info) {
                this.builder.info(prepared.info.title, prepared.info.lines);
                this.flush();
            }
            await env.agents.backend(turn.agent).run(
                {
                    agent: turn.agent,
                    model: settings.model ?? turn.agent.model,
                    system: prepared.system,
                    maxTokens: settings.max_tokens ?? turn.agent.max_tokens,
                    temperature: settings.temperature ?? turn.agent.temperature,
                    history: prepared.send ?? [...kept, ...pending],
                    conversationId: conversation.id,
                    tools: prepared.tools,
                    signal: this.controller.signal,
                },
                this.sink,
            );
        } catch (err) {
            if (!this.cancelled) failure = describeFailure(err, env.log);
            this.roundsExhausted = err instanceof ToolRoundsExhausted;
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
                if (this.usage) await env.usage?.(conversation.id, this.usage);
                if (this.notPlaced) throw new LodgeError("bad_request", this.notPlaced);
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
                    usage: this.usage ?? { ...NO_USAGE },
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
        await this.progress.stop();
        if (this.editorHolds()) return composeNote(turn.text, reply, updates);
        const target = await replyTarget(env.vault, turn.note, updates.conversation_id, turn.parsed);
        if (target.kind !== "note") {
            // Deleted during the turn: it stays deleted. Replaced by something else: the turn says so. The reply is in the history.
            if (target.kind === "lost") this.notPlaced = target.message;
            env.log.warn(target.kind === "lost" ? target.message : `${turn.note.relative} is gone; the reply was not written`);
            return composeNote(turn.text, reply, updates);
        }
        if (target.moved) env.log.info(`${turn.note.relative} moved during the turn; the reply went to ${target.note.relative}`);
        // A partial reply of this turn may be on disk (a progress write, or an editor's save): it is replaced, never stacked.
        const partial = this.progress.wrote || this.everHeld || turn.writer === "editor";
        const final = target.moved || !partial ? placeReply(target.disk, reply, updates, turn.writer === "editor" ? turn.text : undefined) : this.progress.place(target.disk, reply, updates);
        await env.vault.write(target.note, final);
        return final;
    }

    private async commit(conversation: NoteConversation, plan: { keep: number; pending: CanonicalMessage[]; forkedAt?: number }): Promise<void> {
        // A turn that produced no text leaves the history alone: the note shows no assistant turn for it,
        // so storing its user message would make the next turn look like an edit.
        const hasText = this.messages.some((m) => m.role === "assistant" && m.content.some((b) => b.type === "text" && b.text.trim() !== ""));
        if (!hasText && !this.roundsExhausted) return;
        await this.env.conversations.commitTurn(conversation, {
            keep: plan.keep,
            forkedAt: plan.forkedAt,
            append: answerOpenToolCalls([...plan.pending, ...this.messages]),
            agent: this.turn.agent.name,
            title: noteTitle(this.turn),
            notePath: this.turn.note.relative,
        });
    }
}

function addUsage(sum: Usage, u: Partial<Usage>): Usage {
    return {
        input_tokens: sum.input_tokens + (u.input_tokens ?? 0),
        output_tokens: sum.output_tokens + (u.output_tokens ?? 0),
        cache_read_tokens: sum.cache_read_tokens + (u.cache_read_tokens ?? 0),
        cache_write_tokens: sum.cache_write_tokens + (u.cache_write_tokens ?? 0),
    };
}

/** The failure as the person reads it: in the callout, the terminal event, the answer and the audit row — redacted like the log. */
function describeFailure(err: unknown, log: Logger): { code: ErrorCode; message: string } {
    if (err instanceof BackendFailure || err instanceof LodgeError) return { code: err.code, message: redact(err.message) };
    log.error(`turn failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { code: "backend_error", message: redact(`internal error: ${err instanceof Error ? err.message : String(err)}`) };
}
