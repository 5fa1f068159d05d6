/**
 * What a turn runs with (TurnRun, TurnService): the vault, the agents, the conversations, the memory's
 * part of the prompt, and where usage and the audit trail go. main.ts builds it once for the daemon.
 */
import type { Usage } from "../../shared/protocol/events";
import type { PreparedTurn } from "../backends/types";
import type { AgentConfig } from "../config";
import type { Logger } from "../log";
import type { CanonicalMessage } from "../messages";
import type { Vault } from "../vault/vault";
import type { AgentRegistry } from "./agents";
import type { ConversationService } from "./conversations";

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
    audit(entry: {
        actor: string | null;
        notePath: string;
        agent: string;
        conversationId?: string;
        status: string;
        detail?: string;
    }): Promise<void>;
    log: Logger;
}

/** What `prepare` knows of the turn: the history it continues, and the note it answers. */
export interface TurnContext {
    kept: readonly CanonicalMessage[];
    pending: readonly CanonicalMessage[];
    /** The chat note: where links are resolved from, and its frontmatter (pinned notes, docs/context.md). */
    note?: { path: string; frontmatter: Record<string, unknown> | null };
}
