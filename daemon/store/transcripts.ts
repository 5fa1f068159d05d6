/**
 * Claude Code session transcripts (docs/claude-code.md): the CLI's own JSONL, stripped, kept per conversation and
 * session. The database is their only home; the files the CLI reads are restored from here each turn.
 */
import type { Db } from "./db";

export interface SessionTranscript {
    conversationId: string;
    sessionId: string;
    /** How many canonical messages the session has seen, and their fingerprint. */
    coversCount: number;
    coversHash: string;
    /** Chain entries in `transcript`: its length, for the never-shorter rule. */
    entries: number;
    transcript: string;
}

interface Row {
    conversation_id: string;
    session_id: string;
    covers_count: number;
    covers_hash: string;
    entries: number;
    transcript: string;
}

const fromRow = (r: Row): SessionTranscript => ({
    conversationId: r.conversation_id,
    sessionId: r.session_id,
    coversCount: r.covers_count,
    coversHash: r.covers_hash,
    entries: r.entries,
    transcript: r.transcript,
});

export class TranscriptStore {
    constructor(private readonly db: Db) {}

    /** The session that has seen exactly this history, the most recently saved if several have. */
    async find(conversationId: string, coversHash: string): Promise<SessionTranscript | undefined> {
        const row = await this.db.get<Row>(
            "SELECT * FROM claude_code_sessions WHERE conversation_id = ? AND covers_hash = ? ORDER BY updated_at DESC LIMIT 1",
            [conversationId, coversHash],
        );
        return row && fromRow(row);
    }

    async sessions(conversationId: string): Promise<SessionTranscript[]> {
        const rows = await this.db.all<Row>("SELECT * FROM claude_code_sessions WHERE conversation_id = ? ORDER BY updated_at", [
            conversationId,
        ]);
        return rows.map(fromRow);
    }

    /**
     * Saves a session's transcript unless the stored one is longer: the CLI only ever appends, so a
     * shorter file means lines were lost (a torn write, a crash), and the stored copy is the better one.
     * Returns whether it was saved.
     */
    async save(t: SessionTranscript): Promise<boolean> {
        const { changes } = await this.db.write(
            `INSERT INTO claude_code_sessions (conversation_id, session_id, covers_count, covers_hash, entries, transcript, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (conversation_id, session_id) DO UPDATE SET
                 covers_count = excluded.covers_count, covers_hash = excluded.covers_hash, entries = excluded.entries,
                 transcript = excluded.transcript, updated_at = excluded.updated_at
             WHERE excluded.entries >= claude_code_sessions.entries`,
            [t.conversationId, t.sessionId, t.coversCount, t.coversHash, t.entries, t.transcript, new Date().toISOString()],
        );
        return changes > 0;
    }
}
