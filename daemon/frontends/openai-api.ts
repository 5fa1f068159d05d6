/**
 * The OpenAI-compatible API's service (SPEC §13): the agents as models, and a Chat Completions
 * request as a Lodge turn. The conversation is found by its history: when the request's earlier
 * messages equal a logged conversation's stored history (as history.ts compares a note's turns), the
 * turn continues that conversation and its log note; otherwise a new conversation starts.
 */
import { randomBytes } from "node:crypto";
import { readBackText } from "../../shared/note/user-turn";
import type { ConversationTurn } from "../../shared/note/types";
import { assistantText, userText } from "../messages";
import type { AgentRegistry } from "../services/agents";
import type { ConversationService } from "../services/conversations";
import { sameText, storedTurns } from "../services/history";
import type { FrontendConversationStore } from "../store/frontend-conversations";
import type { FrontendTurn, FrontendTurns, TurnEnd } from "./frontend-turns";
import { safeTitle } from "./log-notes";
import type { CompletionRequest } from "./openai-request";

/** How many logged conversations with a matching title are compared, newest first. */
const CANDIDATES = 20;

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

    constructor(private readonly deps: OpenAiDeps) {}

    models(): { object: "list"; data: Array<{ id: string; object: "model"; created: number; owned_by: "lodge" }> } {
        return { object: "list", data: this.deps.agents.list().agents.map((a) => ({ id: a.name, object: "model", created: this.started, owned_by: "lodge" })) };
    }

    /** Starts the turn; `onText` gets the reply's text as it arrives. Throws LodgeError before anything runs. */
    async start(req: CompletionRequest, actor: string | null, onText: (chunk: string) => void): Promise<FrontendTurn> {
        this.deps.agents.resolve(req.model); // unknown_agent before any search
        const conversationId = await this.findConversation(req.earlier);
        return this.deps.frontends.start({
            frontend: "openai", actor, agent: req.model, conversationId, history: conversationId ? undefined : req.earlier,
            message: req.message, system: req.system, temperature: req.temperature, maxTokens: req.maxTokens, tap: { text: onText },
        });
    }

    /** The logged conversation whose whole stored history is `earlier`, as a note would show it. */
    async findConversation(earlier: readonly ConversationTurn[]): Promise<string | undefined> {
        const firstUser = earlier.find((t) => t.role === "user");
        if (!firstUser) return undefined;
        // What the client sent, as the log note reads back (role lines escaped, fences closed).
        const wanted = storedTurns(earlier.map((t) => (t.role === "user" ? userText(readBackText(t.text)) : assistantText(t.text))));
        const store = this.deps.conversations.store;
        for (const row of await this.deps.logged.candidates(this.deps.logFolder, safeTitle(firstUser.text), wanted.length, CANDIDATES)) {
            const stored = storedTurns(await store.messages(row.id));
            if (stored.length === wanted.length && stored.every((t, i) => t.role === wanted[i]!.role && sameText(t.text, wanted[i]!.text))) return row.id;
        }
        return undefined;
    }
}

/** `chatcmpl-…`: an id per response, as the API gives. */
export function completionId(): string {
    return `chatcmpl-${randomBytes(12).toString("base64url")}`;
}

/**
 * The turn's token usage in the API's terms. The turn path reports it on `done` as `usage`
 * (input, output and cache tokens, SPEC §12) once the backends give it; zeros until then.
 */
export function usageOf(end: TurnEnd): Usage {
    const u = (end.data as { usage?: Partial<Record<"input_tokens" | "output_tokens" | "cache_read_tokens" | "cache_write_tokens", number>> | null }).usage ?? {};
    const prompt = (u.input_tokens ?? 0) + (u.cache_read_tokens ?? 0) + (u.cache_write_tokens ?? 0);
    const completion = u.output_tokens ?? 0;
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function completionBody(id: string, created: number, model: string, text: string, usage: Usage) {
    return {
        id, object: "chat.completion", created, model,
        choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
        usage,
    };
}

export function chunkBody(id: string, created: number, model: string, delta: Record<string, string>, finish: string | null) {
    return { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
}
