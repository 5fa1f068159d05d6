/**
 * The OpenAI-compatible API's service (docs/frontends.md): the agents as models, and a Chat Completions
 * request as a Lodge turn. The conversation is found by its history: when the request's earlier
 * messages equal a logged conversation's stored history (as history.ts compares a note's turns), the
 * turn continues that conversation and its log note; otherwise a new conversation starts.
 */
import { createHash, randomBytes } from "node:crypto";
import { readBackText } from "../../shared/note/user-turn";
import { NO_USAGE } from "../../shared/protocol/events";
import type { ConversationTurn } from "../../shared/note/types";
import { assistantText, type CanonicalMessage, userText } from "../messages";
import type { AgentRegistry } from "../services/agents";
import type { ConversationService } from "../services/conversations";
import { storedTurns } from "../services/history";
import type { FrontendConversationStore } from "../store/frontend-conversations";
import type { FrontendEnd } from "../../shared/protocol/frontends";
import type { FrontendTurn, FrontendTurns } from "./frontend-turns";
import { safeTitle } from "./log-notes";
import type { CompletionRequest } from "./openai-request";

/** How many logged conversations with a matching title are compared, newest first. */
const CANDIDATES = 20;
/** How many conversations' history keys are remembered. */
const REMEMBERED = 1000;

/** Whitespace that normalising changes: a run of two or more, or one that is not a plain space. */
const SPACE_RUNS = /[ \n\t\r\f\v\u00a0]{2,}|[\n\t\r\f\v\u00a0]/g;

type Turns = ReadonlyArray<{ role: string; text: string }>;

/** A digest of the turns as they are: the usual case, a client sending back exactly what it got. */
function exactKey(turns: Turns): string {
    const hash = createHash("sha1");
    for (const t of turns) hash.update(`${t.role}\u0000${t.text}\u0001`);
    return hash.digest("base64url");
}

/** A digest of the turns with every whitespace run as one space, ends trimmed: equal ⇔ history.ts's `sameText` per turn. */
function normalKey(turns: Turns): string {
    const hash = createHash("sha1");
    for (const t of turns) hash.update(`${t.role}\u0000${t.text.replace(SPACE_RUNS, " ").trim()}\u0001`);
    return hash.digest("base64url");
}

interface HistoryKeys {
    updatedAt: string;
    exact: string;
    /** Known once the history was read from the database. */
    normal?: string;
}

export interface Usage {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
}

export interface OpenAiDeps {
    frontends: FrontendTurns;
    agents: AgentRegistry;
    conversations: ConversationService;
    logged: FrontendConversationStore;
    logFolder: string;
}

export class OpenAiApi {
    private readonly started = Math.floor(Date.now() / 1000);
    /** Conversation id → its history's key as of `updatedAt`: a continued conversation is found without reloading it. */
    private readonly keys = new Map<string, HistoryKeys>();

    constructor(private readonly deps: OpenAiDeps) {}

    models(): { object: "list"; data: Array<{ id: string; object: "model"; created: number; owned_by: "lodge" }> } {
        return {
            object: "list",
            data: this.deps.agents.list().agents.map((a) => ({ id: a.name, object: "model", created: this.started, owned_by: "lodge" })),
        };
    }

    /** Starts the turn; `onText` gets the reply's text as it arrives. Throws LodgeError before anything runs. */
    async start(req: CompletionRequest, actor: string | null, onText: (chunk: string) => void): Promise<FrontendTurn> {
        this.deps.agents.resolve(req.model); // unknown_agent before any search
        // What the client sent, as the log note reads back (role lines escaped, fences closed).
        const sent = req.earlier.map((t) => (t.role === "user" ? userText(readBackText(t.text)) : assistantText(t.text)));
        const conversationId = await this.findConversation(req.earlier, sent);
        let reply = "";
        let afterTool = false;
        const turn = await this.deps.frontends.start({
            frontend: "openai",
            actor,
            agent: req.model,
            conversationId,
            history: conversationId ? undefined : req.earlier,
            message: req.message,
            system: req.system,
            temperature: req.temperature,
            maxTokens: req.maxTokens,
            tap: {
                text: (chunk) => {
                    // Text after a tool round is a new message: the note shows it as a paragraph of its own.
                    const text = afterTool && reply !== "" ? `\n\n${chunk}` : chunk;
                    afterTool = false;
                    reply += text;
                    onText(text);
                },
                toolCall: () => void (afterTool = true),
            },
        });
        // The client's next request carries this history and the reply: its key is known now, off that request's path.
        void turn.ended
            .then((end) =>
                end.event === "done" && end.data.status === "ok"
                    ? this.expect(turn.conversationId, [...sent, userText(readBackText(req.message)), assistantText(reply)])
                    : undefined,
            )
            .catch(() => undefined);
        return turn;
    }

    private remember(id: string, keys: HistoryKeys): HistoryKeys {
        this.keys.delete(id);
        this.keys.set(id, keys);
        if (this.keys.size > REMEMBERED) this.keys.delete(this.keys.keys().next().value!);
        return keys;
    }

    /** After a turn: the history the client now holds, as of the conversation's new `updated_at`. */
    private async expect(id: string, messages: CanonicalMessage[]): Promise<void> {
        const exact = exactKey(storedTurns(messages));
        const row = await this.deps.conversations.find(id);
        if (row) this.remember(id, { updatedAt: row.updated_at, exact });
    }

    /** The keys of the conversation's stored history, from the database. */
    private async learn(id: string): Promise<HistoryKeys | null> {
        const row = await this.deps.conversations.find(id);
        if (!row) return null;
        const turns = storedTurns(await this.deps.conversations.messages(id));
        return this.remember(id, { updatedAt: row.updated_at, exact: exactKey(turns), normal: normalKey(turns) });
    }

    /** The logged conversation whose whole stored history is `earlier`, as a note would show it. */
    private async findConversation(earlier: readonly ConversationTurn[], sent: CanonicalMessage[]): Promise<string | undefined> {
        const firstUser = earlier.find((t) => t.role === "user");
        if (!firstUser) return undefined;
        const wanted = storedTurns(sent);
        const exact = exactKey(wanted);
        let normal: string | undefined;
        for (const row of await this.deps.logged.candidates(this.deps.logFolder, safeTitle(firstUser.text), wanted.length, CANDIDATES)) {
            let keys = this.keys.get(row.id);
            if (keys?.updatedAt !== row.updated_at) keys = (await this.learn(row.id)) ?? undefined;
            if (!keys) continue;
            if (keys.exact === exact) return row.id;
            if (!keys.normal) keys = (await this.learn(row.id)) ?? keys;
            if (keys.normal === (normal ??= normalKey(wanted))) return row.id;
        }
        return undefined;
    }
}

/** `chatcmpl-…`: an id per response, as the API gives. */
export function completionId(): string {
    return `chatcmpl-${randomBytes(12).toString("base64url")}`;
}

/** The turn's token usage (`done.usage`, docs/context.md) in the API's terms; zeros when the backend reported none. */
export function usageOf(end: FrontendEnd & { event: "done" }): Usage {
    const u = end.data.usage ?? NO_USAGE;
    const prompt = u.input_tokens + u.cache_read_tokens + u.cache_write_tokens;
    const completion = u.output_tokens;
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function completionBody(id: string, created: number, model: string, text: string, usage: Usage) {
    return {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
        usage,
    };
}

export function chunkBody(id: string, created: number, model: string, delta: Record<string, string>, finish: string | null) {
    return { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
}
