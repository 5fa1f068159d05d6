/**
 * What a turn asks its backend: the stored history the note still agrees with (history.ts), the note's
 * new turns with what the agent's memory adds to them (TurnEnv.prepare), and the note's settings over
 * the agent's (docs/notes.md).
 */
import { conversationTurns } from "../../shared/note/turns";
import type { TurnInput } from "../backends/types";
import type { CanonicalMessage } from "../messages";
import type { NoteConversation } from "./conversations";
import { planHistory } from "./history";
import type { TurnEnv } from "./turn-env";
import type { CheckedTurn } from "./checked-turn";

/** How the turn changes the stored history: `keep` messages stay, `pending` and the reply follow. */
export interface HistoryCommit {
    keep: number;
    pending: CanonicalMessage[];
    /** Set when the note changed an earlier turn: the history as it was becomes a branch. */
    forkedAt?: number;
}

export interface TurnRequest {
    input: Omit<TurnInput, "signal">;
    history: HistoryCommit;
    /** The `[!info]- context:` callout that opens the reply, when something was added or left out. */
    info?: { title: string; lines: string[] };
}

export async function turnRequest(env: TurnEnv, turn: CheckedTurn, conversation: NoteConversation): Promise<TurnRequest> {
    const { agent, parsed } = turn;
    const settings = parsed.settings;
    const plan = planHistory(conversation.stored, conversationTurns(parsed.turns));
    const kept = conversation.stored.slice(0, plan.keep);
    const note = { path: turn.note.relative, frontmatter: parsed.frontmatter?.data ?? null };
    const prepared = await env.prepare(agent, settings.system ?? agent.system, { kept, pending: plan.pending, note });
    return {
        input: {
            agent,
            model: settings.model ?? agent.model,
            system: prepared.system,
            maxTokens: settings.max_tokens ?? agent.max_tokens,
            temperature: settings.temperature ?? agent.temperature,
            history: prepared.send ?? [...kept, ...prepared.pending],
            conversationId: conversation.id,
            tools: prepared.tools,
        },
        history: { keep: plan.keep, pending: prepared.pending, forkedAt: plan.forkedAt },
        info: prepared.info,
    };
}
