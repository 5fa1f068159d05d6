/**
 * One turn, from the checked request to the written note: resolve the conversation, stream the
 * backend's output into the reply as deltas, then place the reply, commit the history and end the
 * stream with exactly one terminal event (turn-end.ts).
 */
import { LodgeError } from "../../shared/errors";
import { composeNote } from "../../shared/note/compose";
import { replyAnchor } from "../../shared/note/failed-turn";
import { lineEnding } from "../../shared/note/markdown-lines";
import { NO_USAGE, type StreamEvent, type TerminalEvent } from "../../shared/protocol/events";
import { ToolRoundsExhausted } from "../backends/types";
import { answerOpenToolCalls } from "../messages";
import { conversationTitle, type NoteConversation } from "./conversations";
import { ProgressWriter } from "./progress-writer";
import { writeReply } from "./reply-placement";
import { describeFailure, doneEvent, errorEvent, type TurnFailure } from "./turn-end";
import type { CheckedTurn } from "./checked-turn";
import type { TurnEnv } from "./turn-env";
import { TurnFollowers } from "./turn-followers";
import { TurnOutput } from "./turn-output";
import { type HistoryCommit, turnRequest } from "./turn-request";

export class TurnRun {
    /** The turn's terminal event, once it went out: the note is written and the history stored. */
    readonly finished: Promise<TerminalEvent>;
    private readonly output: TurnOutput;
    private readonly controller = new AbortController();
    private readonly followers: TurnFollowers;
    private readonly progress: ProgressWriter;
    private detached = false;
    private cancelled = false;
    private contentWritten: Promise<void> = Promise.resolve();
    /** The tool-round cap ended the turn: its rounds are stored even without text. */
    private roundsExhausted = false;

    constructor(
        private readonly env: TurnEnv,
        private readonly turn: CheckedTurn,
        listener: (event: StreamEvent) => void,
    ) {
        this.output = new TurnOutput(lineEnding(turn.text) === "\r\n", turn.tap, () => this.flush());
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
        // Every change to the reply is flushed at once: the reply is what the deltas sent so far give.
        return this.followers.follow(listener, holds, () => this.output.reply.reply());
    }

    /** An editor puts the reply in place: the turn's own client (writer `editor`) or a follower that holds the note. */
    private editorHolds(): boolean {
        return (this.turn.writer === "editor" && !this.detached) || this.followers.holding;
    }

    private flush(): void {
        const { reply } = this.output;
        const delta = reply.delta();
        if (!delta) return;
        this.followers.emit({ event: "delta", data: delta });
        // Rendered only when a progress write is due: rendering the whole reply per chunk is what issue 9 removed.
        this.progress.update(() => reply.reply(), this.editorHolds());
    }

    private async run(): Promise<TerminalEvent> {
        const { turn, env, output } = this;
        let conversation: NoteConversation | null = null;
        let failure: TurnFailure | null = null;
        let history: HistoryCommit = { keep: 0, pending: [] };
        // The submitted text goes to disk while the backend starts: it only has to be there before the reply.
        this.contentWritten = turn.fromRequest ? this.writeContent() : Promise.resolve();
        this.contentWritten.catch(() => undefined);
        try {
            conversation = await env.conversations.forNote(
                turn.note.relative,
                turn.parsed.settings.conversation_id,
                turn.agent.name,
                conversationTitle(turn.note.relative, turn.parsed.settings.title),
            );
            this.followers.emit({
                event: "start",
                data: { agent: turn.agent.name, conversation_id: conversation.id, anchor: replyAnchor(turn.text, turn.parsed.turns) },
            });
            this.progress.begin({ agent: turn.agent.name, conversation_id: conversation.id }, this.contentWritten);
            this.flush();
            const request = await turnRequest(env, turn, conversation);
            history = request.history;
            if (request.info) {
                output.reply.info(request.info.title, request.info.lines);
                this.flush();
            }
            await env.agents.backend(turn.agent).run({ ...request.input, signal: this.controller.signal }, output.sink);
        } catch (err) {
            // Stopped is not failed, unless the turn never got its conversation: then the failure is all there is to tell.
            if (!this.cancelled || conversation === null) failure = describeFailure(err, env.log);
            this.roundsExhausted = err instanceof ToolRoundsExhausted;
        }
        output.close();
        if (failure) output.reply.fail(failure.message);
        else if (this.cancelled) output.reply.stop();
        else output.reply.finish();
        this.flush();
        const end = await this.finish(failure, conversation, history);
        this.followers.emit(end);
        return end;
    }

    /** Writes the note and the history, audits the turn, and gives its terminal event. */
    private async finish(
        failure: TurnFailure | null,
        conversation: NoteConversation | null,
        history: HistoryCommit,
    ): Promise<TerminalEvent> {
        const { turn, env, output } = this;
        let newContent = turn.text;
        try {
            await this.contentWritten;
            if (conversation) {
                const placed = await this.place({ agent: turn.agent.name, conversation_id: conversation.id });
                newContent = placed.text;
                await this.commit(conversation, history);
                if (output.usage) await env.usage?.(conversation.id, output.usage);
                if (placed.lost) throw new LodgeError("bad_request", placed.lost);
            }
        } catch (err) {
            failure ??= describeFailure(err, env.log);
        }
        const status = failure ? "error" : this.cancelled ? "cancelled" : "ok";
        await env
            .audit({
                actor: turn.actor,
                notePath: turn.note.relative,
                agent: turn.agent.name,
                conversationId: conversation?.id,
                status,
                detail: failure?.message,
            })
            .catch((err: unknown) => env.log.warn(`audit failed: ${String(err)}`));
        if (failure || !conversation)
            return errorEvent(
                failure ?? { code: "internal_error", message: "the turn stopped before its conversation was known; send the note again" },
            );
        return doneEvent({
            status: this.cancelled ? "cancelled" : "ok",
            agent: turn.agent.name,
            conversation_id: conversation.id,
            reply: output.reply.reply(),
            new_content: newContent,
            usage: output.usage ?? { ...NO_USAGE },
        });
    }

    private async writeContent(): Promise<void> {
        const { vault } = this.env;
        if ((await vault.read(this.turn.note).catch(() => null)) !== this.turn.text) await vault.write(this.turn.note, this.turn.text);
    }

    /** Writes the note when the daemon is the writer (or the editor went away); gives the note's final text. */
    private async place(updates: { agent: string; conversation_id: string }): Promise<{ text: string; lost?: string }> {
        const { turn, env, progress } = this;
        const reply = this.output.reply.reply();
        await progress.stop();
        if (this.editorHolds()) return { text: composeNote(turn.text, reply, updates) };
        const partial = progress.wrote || this.followers.everHeld || turn.writer === "editor";
        return writeReply({ vault: env.vault, log: env.log, progress }, turn, reply, updates, partial);
    }

    private async commit(conversation: NoteConversation, history: HistoryCommit): Promise<void> {
        // A turn that produced no text leaves the history alone: the note shows no assistant turn for it,
        // so storing its user message would make the next turn look like an edit.
        if (!this.output.hasText() && !this.roundsExhausted) return;
        await this.env.conversations.commitTurn(conversation, {
            keep: history.keep,
            forkedAt: history.forkedAt,
            append: answerOpenToolCalls([...history.pending, ...this.output.messages]),
            agent: this.turn.agent.name,
            title: conversationTitle(this.turn.note.relative, this.turn.parsed.settings.title),
            notePath: this.turn.note.relative,
        });
    }
}
