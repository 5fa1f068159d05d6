/**
 * A turn from a frontend that is not the note (OpenAI API, `lodge chat`, `lodge acp`; docs/frontends.md),
 * run as an ordinary turn on a chat note: the new user turn is written into the conversation's log
 * note (created on first use) and TurnService runs it with writer `daemon`, so history, forks,
 * memory, skills, tools and the note's bytes come from the one turn path.
 */
import { randomUUID } from "node:crypto";
import { LodgeError } from "../../shared/errors";
import { readFrontmatter } from "../../shared/note/frontmatter";
import { setFrontmatterKeys } from "../../shared/note/frontmatter-write";
import type { ConversationTurn } from "../../shared/note/types";
import { appendUserTurn } from "../../shared/note/user-turn";
import type { StreamEvent } from "../../shared/protocol/events";
import type { FrontendEnd } from "../../shared/protocol/frontends";
import type { Logger } from "../log";
import type { AgentRegistry } from "../services/agents";
import { conversationTitle, type ConversationService } from "../services/conversations";
import { storedTurns } from "../services/history";
import { frontendEnd } from "../services/turn-end";
import type { TurnRun } from "../services/turn-run";
import type { TurnTap } from "../services/turn-output";
import type { TurnService } from "../services/turn-service";
import type { NotePath, Vault } from "../vault/vault";
import { type LogNoteFields, LogNotes } from "./log-notes";

export interface FrontendTurnRequest {
    frontend: LogNoteFields["frontend"];
    actor: string | null;
    /** The agent; absent: the conversation's note's agent, else the default. */
    agent?: string;
    /** Continue this conversation (in its log note). An id no conversation has yet names a new one. */
    conversationId?: string;
    /** Continue this vault note instead, exactly as a save would (`lodge chat --note`). */
    note?: string;
    /** Turns before the new message, written into a new log note (an OpenAI client's history). */
    history?: ConversationTurn[];
    message: string;
    /** Replaces the agent's system prompt, kept in the note's frontmatter as `system`. */
    system?: string;
    /** For this turn only: not written to the note. */
    temperature?: number;
    maxTokens?: number;
    tap?: TurnTap;
}

export interface FrontendTurn {
    note: string;
    conversationId: string;
    agent: string;
    run: TurnRun;
    /** The turn's terminal event (turn-end.ts `frontendEnd`), once the note is written and the history stored. */
    ended: Promise<FrontendEnd>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface FrontendDeps {
    turns: TurnService;
    agents: AgentRegistry;
    conversations: ConversationService;
    vault: Vault;
    logFolder: string;
    log: Logger;
}

export class FrontendTurns {
    private readonly logNotes: LogNotes;

    constructor(private readonly deps: FrontendDeps) {
        this.logNotes = new LogNotes(deps.vault, deps.logFolder);
    }

    async start(req: FrontendTurnRequest): Promise<FrontendTurn> {
        if (req.message.trim() === "") throw new LodgeError("bad_request", "the message is empty: there is nothing to send");
        if (req.note !== undefined) {
            const note = await this.deps.vault.resolve(req.note);
            const text = await this.deps.vault.read(note);
            if (text === null) throw new LodgeError("not_found", `no note ${note.relative} in the vault`);
            return this.launch(req, note, appendUserTurn(text, req.message));
        }
        const agent = this.deps.agents.resolve(req.agent);
        if (req.conversationId !== undefined && !UUID.test(req.conversationId))
            throw new LodgeError("bad_request", "a conversation id is a UUID");
        const row = req.conversationId !== undefined ? await this.deps.conversations.find(req.conversationId) : undefined;
        if (row) {
            const existing = row.note_path ? await this.readLogNote(row.note_path, row.id) : null;
            if (existing) {
                let text = appendUserTurn(existing.text, req.message);
                if (req.system !== undefined) text = setFrontmatterKeys(text, { system: req.system });
                return this.launch(req, existing.note, text);
            }
            // The note was deleted (or no longer carries the id): a new one continues the conversation.
            const history = storedTurns(await this.deps.conversations.messages(row.id)).map((t) => ({ role: t.role, text: t.text }));
            return this.create(req, req.agent === undefined ? this.knownAgent(row.agent) : agent.name, row.id, history);
        }
        return this.create(req, agent.name, req.conversationId ?? randomUUID(), req.history ?? []);
    }

    /** The conversation's agent while it exists, else the default one. */
    private knownAgent(name: string): string {
        try {
            return this.deps.agents.resolve(name).name;
        } catch {
            return this.deps.agents.resolve(undefined).name;
        }
    }

    private async create(req: FrontendTurnRequest, agent: string, id: string, history: ConversationTurn[]): Promise<FrontendTurn> {
        const first = [...history, { role: "user" as const, text: req.message }].find((t) => t.role === "user")!;
        const note = await this.logNotes.reserve(first.text);
        try {
            const text = this.logNotes.compose({ agent, conversation_id: id, frontend: req.frontend, system: req.system }, [
                ...history,
                { role: "user", text: req.message },
            ]);
            await this.deps.conversations.ensure({ id, agent, notePath: note.relative, title: conversationTitle(note.relative) });
            const turn = await this.launch({ ...req, agent }, note, text);
            void turn.ended.finally(() => this.logNotes.release(note));
            return turn;
        } catch (err) {
            this.logNotes.release(note);
            throw err;
        }
    }

    /** The log note at `notePath` when it exists and still carries the conversation's id. */
    private async readLogNote(notePath: string, id: string): Promise<{ note: NotePath; text: string } | null> {
        try {
            const note = await this.deps.vault.resolve(notePath);
            const text = await this.deps.vault.read(note);
            return text !== null && readFrontmatter(text)?.data.conversation_id === id ? { note, text } : null;
        } catch {
            return null;
        }
    }

    private async launch(req: FrontendTurnRequest, note: NotePath, content: string): Promise<FrontendTurn> {
        const checked = await this.deps.turns.check({ filename: note.relative, content, agent: req.agent }, req.actor);
        if (checked.kind === "nothing_to_do")
            throw new LodgeError("bad_request", `${note.relative} has nothing to answer (${checked.done.data.reason})`);
        const settings = { ...checked.parsed.settings };
        if (req.temperature !== undefined) settings.temperature = req.temperature;
        if (req.maxTokens !== undefined) settings.max_tokens = req.maxTokens;
        let conversationId = settings.conversation_id ?? "";
        const run = this.deps.turns.start(
            {
                ...checked,
                parsed: { ...checked.parsed, settings },
                frontend: req.frontend,
                tap: req.tap && guarded(req.tap, this.deps.log),
            },
            (event: StreamEvent) => {
                if (event.event === "start") conversationId = event.data.conversation_id;
            },
        );
        const ended = run.finished.then((end) => frontendEnd(end, { note: note.relative, conversationId }));
        return {
            note: note.relative,
            get conversationId() {
                return conversationId;
            },
            agent: checked.agent.name,
            run,
            ended,
        };
    }
}

/** A frontend's tap never breaks the turn it watches. */
function guarded(tap: TurnTap, log: Logger): TurnTap {
    const safe = <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
        fn &&
        ((...args: A) => {
            try {
                fn(...args);
            } catch (err) {
                log.warn(`a frontend's listener failed: ${String(err)}`);
            }
        });
    return { text: safe(tap.text), thinking: safe(tap.thinking), toolCall: safe(tap.toolCall), toolResult: safe(tap.toolResult) };
}
