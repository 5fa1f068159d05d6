/**
 * The notes the daemon has conversations for, as the file watcher (daemon/watch/watcher.ts) needs them:
 * a chat note outside the chat folders is found here instead of by reading every note of the vault.
 */
import type { Db } from "./db";

export class ChatNoteStore {
    constructor(private readonly db: Db) {}

    /** Vault-relative paths of every note that has a conversation (the index on note_path serves it). */
    async notePaths(): Promise<string[]> {
        const rows = await this.db.all<{ note_path: string }>("SELECT DISTINCT note_path FROM conversations WHERE note_path IS NOT NULL");
        return rows.map((r) => r.note_path);
    }
}
