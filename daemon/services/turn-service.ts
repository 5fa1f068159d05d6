/**
 * Chat turns (docs/notes.md, docs/api.md): checks a request in the contract's order — path, frontmatter, agent, not
 * busy, something to do — then runs the turn. One turn per note at a time: the note is reserved in
 * the same synchronous step that finds it free, so two requests can never both pass.
 */
import { LodgeError } from "../../shared/errors";
import { parseNote } from "../../shared/note/parse";
import { nothingToDo } from "../../shared/note/turns";
import type { ParsedNote } from "../../shared/note/types";
import type { ChatRequest, Writer } from "../../shared/protocol/api";
import type { DoneEvent, StreamEvent } from "../../shared/protocol/events";
import type { AgentConfig } from "../config";
import { doneEvent } from "./turn-end";
import type { TurnEnv } from "./turn-env";
import type { CheckedTurn } from "./checked-turn";
import { TurnRun } from "./turn-run";

/** A note with nothing to answer: its stream is this lone `done` (docs/api.md). */
export interface NothingToDo {
    kind: "nothing_to_do";
    done: { event: "done"; data: DoneEvent };
}

export type Checked = NothingToDo | ({ kind: "turn" } & CheckedTurn);

export class TurnService {
    private readonly running = new Map<string, TurnRun | "checking">();
    private readonly observers: Array<(turn: CheckedTurn, run: TurnRun) => void> = [];
    private closing = false;

    constructor(private readonly env: TurnEnv) {}

    /** Runs every check. Throws LodgeError; on success a turn's note stays reserved until `start`. */
    async check(body: unknown, actor: string | null): Promise<Checked> {
        if (this.closing) throw new LodgeError("backend_unavailable", "the daemon is shutting down");
        const request = readRequest(body);
        const note = await this.env.vault.resolve(request.filename);
        const onDisk = request.content === undefined ? await this.env.vault.read(note) : null;
        const text = request.content ?? onDisk;
        if (text === null || text === undefined) throw new LodgeError("not_found", `no note ${note.relative} in the vault`);
        const parsed = parseNote(text);
        const agent = await this.chooseAgent(request.agent, parsed, note.relative);
        if (this.running.has(note.absolute)) throw new LodgeError("in_progress", `a turn is already running for ${note.relative}`);
        const reason = nothingToDo(parsed.turns);
        if (reason) {
            const done = doneEvent({
                status: "nothing_to_do",
                reason,
                agent: agent.name,
                conversation_id: parsed.settings.conversation_id ?? null,
                reply: "",
                new_content: text,
            });
            return { kind: "nothing_to_do", done };
        }
        this.running.set(note.absolute, "checking");
        return {
            kind: "turn",
            note,
            text,
            fromRequest: request.content !== undefined,
            parsed,
            agent,
            writer: request.writer ?? "daemon",
            actor,
        };
    }

    /**
     * The request's agent, else the note's, else the default. A turn that failed before any text
     * (wrong agent, missing key) leaves `agent: X` and the id of a conversation with no messages in the note;
     * once the person fixed the config and X is gone, that note goes to the default agent instead of
     * failing again. A conversation with answered turns keeps its agent, and an `agent:` the person
     * typed into a note that never ran is theirs: both are still `unknown_agent`.
     */
    private async chooseAgent(requested: string | undefined, parsed: ParsedNote, notePath: string): Promise<AgentConfig> {
        const named = parsed.settings.agent;
        if (requested !== undefined || named === undefined) return this.env.agents.resolve(requested ?? named);
        const { agents } = this.env.agents.list();
        if (agents.length === 0 || agents.some((a) => a.name === named)) return this.env.agents.resolve(named);
        // The daemon wrote that id; its conversation has no messages, or is gone altogether (a start
        // removes conversations that never got one).
        const id = parsed.settings.conversation_id;
        if (id === undefined || (await this.env.conversations.state(id)) === "turns") return this.env.agents.resolve(named);
        const agent = this.env.agents.resolve(undefined);
        this.env.log.info(
            `${notePath}: agent "${named}" no longer exists and the note has no answered turn yet; the default agent "${agent.name}" answers`,
        );
        return agent;
    }

    /** Starts a checked turn; `listener` gets its events from the next tick on. */
    start(turn: CheckedTurn, listener: (event: StreamEvent) => void): TurnRun {
        const run = new TurnRun(this.env, turn, listener);
        this.running.set(turn.note.absolute, run);
        for (const observer of this.observers) observer(turn, run);
        void run.finished.finally(() => this.running.delete(turn.note.absolute));
        return run;
    }

    /** Tells `observer` of every turn as it starts (the file watcher: which notes are chats, which texts are answered). */
    observe(observer: (turn: CheckedTurn, run: TurnRun) => void): void {
        this.observers.push(observer);
    }

    /** Follows the turn running on `filename` (docs/daemon.md); null when none runs. `holds`: the follower's editor takes the reply (TurnRun.follow). */
    async follow(filename: unknown, listener: (event: StreamEvent) => void, holds = false): Promise<(() => void) | null> {
        const note = await this.env.vault.resolve(filename);
        const run = this.running.get(note.absolute);
        return run instanceof TurnRun ? run.follow(listener, holds) : null;
    }

    async cancel(filename: unknown): Promise<boolean> {
        const note = await this.env.vault.resolve(filename);
        const run = this.running.get(note.absolute);
        if (!(run instanceof TurnRun)) return false;
        run.cancel();
        return true;
    }

    /** Stops taking turns, lets running ones finish for `graceMs`, then stops the rest (they write what arrived). */
    async shutdown(graceMs: number): Promise<void> {
        this.closing = true;
        const runs = (): TurnRun[] => [...this.running.values()].filter((r): r is TurnRun => r instanceof TurnRun);
        const all = (): Promise<unknown> => Promise.all(runs().map((r) => r.finished));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([all(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
        for (const run of runs()) run.cancel();
        await all();
    }
}

function readRequest(body: unknown): ChatRequest {
    if (typeof body !== "object" || body === null || Array.isArray(body))
        throw new LodgeError("bad_request", "the body must be a JSON object");
    const b = body as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof b.filename !== "string") problems.push('"filename" must be text');
    if (b.content !== undefined && typeof b.content !== "string") problems.push('"content" must be text');
    if (b.agent !== undefined && (typeof b.agent !== "string" || b.agent === "")) problems.push('"agent" must be an agent name');
    if (b.writer !== undefined && b.writer !== "daemon" && b.writer !== "editor") problems.push('"writer" must be "daemon" or "editor"');
    if (problems.length > 0) throw new LodgeError("bad_request", problems.join("; "));
    return {
        filename: b.filename as string,
        content: b.content as string | undefined,
        agent: b.agent as string | undefined,
        writer: b.writer as Writer | undefined,
    };
}
