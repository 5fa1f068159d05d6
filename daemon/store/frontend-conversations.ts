/** Conversations logged by the other frontends (docs/frontends.md): the ones whose note is in the log folder. */
import type { ConversationRow } from "./conversations";
import type { Db } from "./db";

export class FrontendConversationStore {
    constructor(private readonly db: Db) {}

    /**
     * Conversations whose note is inside `folder` (a range on the note index: `folder/` up to `folder0`,
     * `0` being the character after `/`), with at least `minMessages` messages and a title holding
     * `titlePart`, newest update first: the ones an OpenAI client may be continuing.
     */
    candidates(folder: string, titlePart: string, minMessages: number, limit: number): Promise<ConversationRow[]> {
        const pattern = `%${titlePart.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        return this.db.all<ConversationRow>(
            `SELECT * FROM conversations
                WHERE note_path >= ? AND note_path < ? AND message_count >= ? AND title LIKE ? ESCAPE '\\'
                ORDER BY updated_at DESC, id DESC LIMIT ?`,
            [`${folder}/`, `${folder}0`, minMessages, pattern, limit],
        );
    }
}
