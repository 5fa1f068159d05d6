/**
 * The skills each conversation has loaded (SPEC §9; migration 005-conversation-skills): by name, in
 * load order, with the history index of the message that loaded each one.
 */
import type { Db } from "./db";

export interface LoadedSkillRow {
    name: string;
    /** Index in the conversation's history of the message that loaded it. */
    atMessage: number;
    /** The trigger word that loaded it; null for `load_skill`. */
    trigger: string | null;
}

interface Row {
    name: string;
    at_message: number;
    trigger: string | null;
}

export class LoadedSkillStore {
    constructor(private readonly db: Db) {}

    /**
     * The skills a turn that keeps the first `keep` messages of the history starts with, in load
     * order. Those loaded by later messages (forked off, or from a turn that stored nothing) are
     * forgotten, so a trigger can load them again.
     */
    async forTurn(conversationId: string, keep: number): Promise<LoadedSkillRow[]> {
        const rows = await this.db.all<Row>("SELECT name, at_message, trigger FROM conversation_skills WHERE conversation_id = ? ORDER BY seq", [conversationId]);
        if (rows.some((r) => r.at_message >= keep)) {
            await this.db.write("DELETE FROM conversation_skills WHERE conversation_id = ? AND at_message >= ?", [conversationId, keep]);
        }
        return rows.filter((r) => r.at_message < keep).map((r) => ({ name: r.name, atMessage: r.at_message, trigger: r.trigger }));
    }

    /** Records a skill as loaded; false when the conversation had it already. */
    async load(conversationId: string, skill: LoadedSkillRow): Promise<boolean> {
        const { changes } = await this.db.write(
            "INSERT OR IGNORE INTO conversation_skills (conversation_id, name, at_message, trigger, loaded_at) VALUES (?, ?, ?, ?, ?)",
            [conversationId, skill.name, skill.atMessage, skill.trigger, new Date().toISOString()],
        );
        return changes > 0;
    }

    /** A copied note's new conversation starts with the skills its original had loaded within the copied history. */
    async copy(from: string, to: string, messages: number): Promise<void> {
        await this.db.write(
            `INSERT OR IGNORE INTO conversation_skills (conversation_id, name, at_message, trigger, loaded_at)
             SELECT ?, name, at_message, trigger, loaded_at FROM conversation_skills WHERE conversation_id = ? AND at_message < ? ORDER BY seq`,
            [to, from, messages],
        );
    }
}
