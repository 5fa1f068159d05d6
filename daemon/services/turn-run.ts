/**
 * One turn, from the checked request to the written note: resolve the conversation, stream the
 * backend's output into the reply as deltas, then place the reply, commit the history and end the
 * stream with exactly one terminal event (turn-end.ts).
 */
import { LodgeError } from "../../shared/errors";
import { composeNote } from "../../shared/note/compose";
import { replyAnchor } from "../../shared/note/failed-turn";
import { lineEnding } from "../../shared/note/markdown-lines";
import { ReplyBuilder } from "../../shared/note/reply";
import { conversationTurns } from "../../shared/note/turns";
import type { ParsedNote } from "../../shared/note/types";
import type { Writer } from "../../shared/protocol/api";
import { type Frontend, NO_USAGE, type StreamEvent, type TerminalEvent, type Usage } from "../../shared/protocol/events";
import { ToolRoundsExhausted, type ToolCall, type ToolResult, type TurnSink } from "../backends/types";
import type { AgentConfig } from "../config";
import { answerOpenToolCalls, type CanonicalMessage } from "../messages";
import type { NotePath } from "../vault/vault";
import { cleanSink } from "./clean-sink";
import { conversationTitle, type NoteConversation } from "./conversations";
import { planHistory } from "./history";
import { ProgressWriter } from "./progress-writer";
import { placeReply, replyTarget } from "./reply-placement";
import { toolHint, toolSummary } from "./tool-callouts";
import { describeFailure, doneEvent, errorEvent, type TurnFailure } from "./turn-end";
import type { TurnEnv } from "./turn-env";
import { TurnFollowers } from "./turn-followers";

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

type TurnStatus = "ok" | "cancelled" | "error";

/** What the history commit needs of the turn's plan (history.ts). */
interface Plan {
    keep: number;
    pending: CanonicalMessage[];
    forkedAt?: number;
}

export class TurnRun {
    /** The turn's terminal event, once it went out: the note is written and the history stored. */
    readonly finished: Promise<TerminalEvent>;
    private readonly builder: ReplyBuilder;
    private readonly controller = new AbortController();
    private readonly followers: TurnFollowers;
    private readonly progress: ProgressWriter;
    private detached = false;
    private cancelled = false;
    private readonly messages: CanonicalMessage[] = [];
    private partialText = "";
    private readonly toolCalls = new Map<string, { handle: number; call: ToolCall }>();
    private contentWritten: Promise<void> = Promise.resolve();
    private usage: Usage | null = null;
    /** The tool-round cap ended the turn: its rounds are stored even without text. */
    private roundsExhausted = false;
    /** Why the reply could not be written (its note was replaced by something else during the turn). */
    private notPlaced: string | null = null;

    constructor(
        private readonly env: TurnEnv,
        private readonly turn: CheckedTurn,
        listener: (event: StreamEvent) => void,
    ) {
        this.builder = new ReplyBuilder({ crlf: lineEnding(turn.text) === "\r\n" });
        this.followers = new TurnFollowers(listener, env.log);
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
        this.followers.dropClient();
    }

    /** Follows the turn (turn-followers.ts); null once it ended. `holds`: the follower's editor takes the reply. */
    follow(listener: (event: StreamEvent) => void, holds = false): (() => void) | null {
        // Every change to the builder is flushed at once: its reply is what the deltas sent so far give.
        return this.followers.follow(listener, holds, () => this.builder.reply());
    }

    /** An editor puts the reply in place: the turn's own client (writer `editor`) or a follower that holds the note. */
    private editorHolds(): boolean {
        return (this.turn.writer === "editor" && !this.detached) || this.followers.holding;
    }

    private flush(): void {
        const delta = this.builder.delta();
        if (!delta) return;
        this.followers.emit({ event: "delta", data: delta });
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

    private async run(): Promise<TerminalEvent> {
        const { turn, env } = this;
        let conversation: NoteConversation | null = null;
        let failure: TurnFailure | null = null;
        const plan: Plan = { keep: 0, pending: [] };
        // The submitted text goes to disk while the backend starts: it only has to be there before the reply.
        this.contentWritten = turn.fromRequest ? this.writeContent() : Promise.resolve();
        this.contentWritten.catch(() => undefined);
        try {
            conversation = await env.conversations.forNote(turn.note.relative, turn.parsed.settings.conversation_id, turn.agent.name, conversationTitle(turn.note.relative, turn.parsed.settings.title));
            this.followers.emit({ event: "start", data: { agent: turn.agent.name, conversation_id: conversation.id, anchor: replyAnchor(turn.text, turn.parsed.turns) } });
            this.progress.begin({ agent: turn.agent.name, conversation_id: conversation.id }, this.contentWritten);
            this.flush();
            const history = planHistory(conversation.stored, conversationTurns(turn.parsed.turns));
            plan.keep = history.keep;
            plan.forkedAt = history.forkedAt;
            const settings = turn.parsed.settings;
            const kept = conversation.stored.slice(0, plan.keep);
            const note = { path: turn.note.relative, frontmatter: turn.parsed.frontmatter?.data ?? null };
            const prepared = await env.prepare(turn.agent, settings.system ?? turn.agent.system, { kept, pending: history.pending, note });
            plan.pending = prepared.pending;
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
                    history: prepared.send ?? [...kept, ...plan.pending],
                    conversationId: conversation.id,
                    tools: prepared.tools,
                    signal: this.controller.signal,
                },
                this.sink,
            );
        } catch (err) {
            // Stopped is not failed, unless the turn never got its conversation: then the failure is all there is to tell.
            if (!this.cancelled || conversation === null) failure = describeFailure(err, env.log);
            this.roundsExhausted = err instanceof ToolRoundsExhausted;
        }
        if (this.partialText.trim() !== "") this.messages.push({ role: "assistant", content: [{ type: "text", text: this.partialText }] });
        if (failure) this.builder.fail(failure.message);
        else if (this.cancelled) this.builder.stop();
        else this.builder.finish();
        this.flush();
        const end = await this.finish(failure, conversation, plan);
        this.followers.emit(end);
        return end;
    }

    /** Writes the note and the history, audits the turn, and gives its terminal event. */
    private async finish(failure: TurnFailure | null, conversation: NoteConversation | null, plan: Plan): Promise<TerminalEvent> {
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
        }
        const status: TurnStatus = failure ? "error" : this.cancelled ? "cancelled" : "ok";
        await env.audit({
            actor: turn.actor, notePath: turn.note.relative, agent: turn.agent.name, conversationId: conversation?.id, status, detail: failure?.message,
        }).catch((err: unknown) => env.log.warn(`audit failed: ${String(err)}`));
        if (failure || !conversation) return errorEvent(failure ?? { code: "internal_error", message: "the turn stopped before its conversation was known; send the note again" });
        return doneEvent({
            status: this.cancelled ? "cancelled" : "ok",
            agent: turn.agent.name,
            conversation_id: conversation.id,
            reply: this.builder.reply(),
            new_content: newContent,
            usage: this.usage ?? { ...NO_USAGE },
        });
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
        const partial = this.progress.wrote || this.followers.everHeld || turn.writer === "editor";
        const final = target.moved || !partial ? placeReply(target.disk, reply, updates, turn.writer === "editor" ? turn.text : undefined) : this.progress.place(target.disk, reply, updates);
        await env.vault.write(target.note, final);
        return final;
    }

    private async commit(conversation: NoteConversation, plan: Plan): Promise<void> {
        // A turn that produced no text leaves the history alone: the note shows no assistant turn for it,
        // so storing its user message would make the next turn look like an edit.
        const hasText = this.messages.some((m) => m.role === "assistant" && m.content.some((b) => b.type === "text" && b.text.trim() !== ""));
        if (!hasText && !this.roundsExhausted) return;
        await this.env.conversations.commitTurn(conversation, {
            keep: plan.keep,
            forkedAt: plan.forkedAt,
            append: answerOpenToolCalls([...plan.pending, ...this.messages]),
            agent: this.turn.agent.name,
            title: conversationTitle(this.turn.note.relative, this.turn.parsed.settings.title),
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
