/**
 * Schema migrations, each applied once, in this order, and recorded by id in `schema_migrations`.
 * Never edit a migration that has shipped: add another. Ids name the feature so independent
 * features (memory, transcripts) add theirs without renumbering anyone else's.
 */
export interface Migration {
    id: string;
    sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
    {
        id: "001-conversations-tokens-audit",
        sql: `
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        agent TEXT NOT NULL,
        note_path TEXT,
        title TEXT NOT NULL DEFAULT '',
        parent_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        message_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX conversations_by_update ON conversations (updated_at DESC, id DESC);
    CREATE INDEX conversations_by_note ON conversations (note_path);

    -- Canonical history in Anthropic message shape: content is a JSON array of blocks.
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (conversation_id, seq)
    );

    -- Earlier branches of a conversation, kept whole when a note's edit forks it.
    CREATE TABLE branches (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        forked_at INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        message_count INTEGER NOT NULL,
        messages TEXT NOT NULL
    );
    CREATE INDEX branches_by_conversation ON branches (conversation_id, created_at);

    CREATE TABLE tokens (
        name TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL
    );

    -- Who ran which turn: one row per request that reached a backend or was refused after auth.
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT,
        action TEXT NOT NULL,
        note_path TEXT,
        agent TEXT,
        conversation_id TEXT,
        status TEXT,
        detail TEXT
    );
    `,
    },
    {
        id: "003-claude-code-sessions",
        sql: `
    -- Claude Code session transcripts (SPEC §7), one row per CLI session of a conversation. covers_hash
    -- fingerprints the canonical messages the session has seen, so a turn resumes only the session
    -- whose history is exactly the one it continues (a note edited into a fork gets a new session).
    CREATE TABLE claude_code_sessions (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        session_id TEXT NOT NULL,
        covers_count INTEGER NOT NULL,
        covers_hash TEXT NOT NULL,
        entries INTEGER NOT NULL,
        transcript TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (conversation_id, session_id)
    );
    CREATE INDEX claude_code_sessions_by_cover ON claude_code_sessions (conversation_id, covers_hash);
    `,
    },
    {
        id: "002-memory-blocks",
        sql: `
    -- Each agent's memory blocks, mirrored from its git repository (SPEC §6). A deleted file detaches
    -- its block (attached = 0); it is kept. frontmatter is the file's text before the value, verbatim.
    CREATE TABLE blocks (
        agent TEXT NOT NULL,
        label TEXT NOT NULL,
        value TEXT NOT NULL,
        description TEXT,
        chars_limit INTEGER NOT NULL,
        read_only INTEGER NOT NULL DEFAULT 0,
        metadata TEXT NOT NULL DEFAULT '{}',
        frontmatter TEXT NOT NULL DEFAULT '',
        attached INTEGER NOT NULL DEFAULT 1,
        commit_id TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (agent, label)
    );

    -- The last commit of main mirrored into blocks, per agent: the next sync diffs from here.
    CREATE TABLE memory_sync (
        agent TEXT PRIMARY KEY,
        commit_id TEXT NOT NULL,
        synced_at TEXT NOT NULL
    );
    `,
    },
    {
        id: "004-conversation-search",
        sql: `
    -- A stable integer key per conversation (conversations has none of its own: VACUUM may renumber an
    -- implicit rowid). The search indexes are keyed by it.
    CREATE TABLE conversation_keys (key INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL UNIQUE);

    -- Full text over messages (SPEC §8 q): one row per message, what message_texts extracts from it
    -- (text blocks, tool names, tool results; not thinking, not tool inputs). Its rowid is
    -- key * 2^24 + seq, so a conversation's messages are one rowid range: "which conversations" is read
    -- off the index alone, and "does this conversation match" is one range seek. Contentless: the text
    -- lives in messages only. The triggers keep it in step inside the statements that change messages,
    -- so a turn's transaction (a fork deletes, then inserts) commits the index with the history.
    CREATE VIEW message_texts AS
    SELECT m.id AS id, (
        SELECT group_concat(t, char(10)) FROM (
            SELECT CASE b.value ->> '$.type'
                WHEN 'text' THEN b.value ->> '$.text'
                WHEN 'tool_use' THEN b.value ->> '$.name'
                WHEN 'tool_result' THEN CASE json_type(b.value, '$.content')
                    WHEN 'array' THEN (SELECT group_concat(x.value ->> '$.text', char(10)) FROM json_each(b.value, '$.content') AS x)
                    ELSE b.value ->> '$.content' END
            END AS t
            FROM json_each(m.content) AS b
        ) WHERE t IS NOT NULL
    ) AS text
    FROM messages AS m;
    CREATE VIRTUAL TABLE messages_search USING fts5 (
        text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_search (rowid, text)
        SELECT k.key * 16777216 + new.seq, t.text FROM conversation_keys AS k, message_texts AS t
        WHERE k.conversation_id = new.conversation_id AND t.id = new.id;
    END;
    CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_search WHERE rowid = (SELECT key FROM conversation_keys WHERE conversation_id = old.conversation_id) * 16777216 + old.seq;
    END;

    -- title__contains ignores case, Unicode included: a non-ASCII substring of 3+ characters is found
    -- through trigrams (rowid = key).
    CREATE VIRTUAL TABLE conversation_titles USING fts5 (title, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 0');
    CREATE TRIGGER conversation_keys_insert AFTER INSERT ON conversations BEGIN
        INSERT INTO conversation_keys (conversation_id) VALUES (new.id);
        INSERT INTO conversation_titles (rowid, title) SELECT key, new.title FROM conversation_keys WHERE conversation_id = new.id;
    END;
    CREATE TRIGGER conversation_titles_update AFTER UPDATE OF title ON conversations WHEN new.title IS NOT old.title BEGIN
        DELETE FROM conversation_titles WHERE rowid = (SELECT key FROM conversation_keys WHERE conversation_id = old.id);
        INSERT INTO conversation_titles (rowid, title) SELECT key, new.title FROM conversation_keys WHERE conversation_id = new.id;
    END;
    CREATE TRIGGER conversation_keys_delete AFTER DELETE ON conversations BEGIN
        DELETE FROM messages_search WHERE rowid >= (SELECT key FROM conversation_keys WHERE conversation_id = old.id) * 16777216
            AND rowid < (SELECT key + 1 FROM conversation_keys WHERE conversation_id = old.id) * 16777216;
        DELETE FROM conversation_titles WHERE rowid = (SELECT key FROM conversation_keys WHERE conversation_id = old.id);
        DELETE FROM conversation_keys WHERE conversation_id = old.id;
    END;

    -- What was there before this migration.
    INSERT INTO conversation_keys (conversation_id) SELECT id FROM conversations ORDER BY created_at, id;
    INSERT INTO conversation_titles (rowid, title) SELECT k.key, c.title FROM conversation_keys AS k JOIN conversations AS c ON c.id = k.conversation_id;
    INSERT INTO messages_search (rowid, text)
    SELECT k.key * 16777216 + m.seq, t.text FROM messages AS m JOIN conversation_keys AS k ON k.conversation_id = m.conversation_id JOIN message_texts AS t ON t.id = m.id;

    CREATE INDEX conversations_by_agent ON conversations (agent, updated_at DESC, id DESC);
    CREATE INDEX conversations_by_creation ON conversations (created_at);
    `,
    },
    {
        id: "005-vault-index",
        sql: `
    -- The vault's notes for search_notes and list_notes (SPEC §12): only notes an agent may see (hidden and
    -- context.exclude'd notes never get a row). size and mtime_ms say whether the file changed since it
    -- was read; tags (lower case, space separated) let a changed context.exclude drop notes unread.
    CREATE TABLE vault_notes (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        tags TEXT NOT NULL DEFAULT ''
    );
    -- External content: the text is stored once, in vault_notes; snippet() reads it from there.
    CREATE VIRTUAL TABLE vault_search USING fts5 (
        title, text, content = 'vault_notes', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
    );
    -- bm25 with a word in the title worth ten in the text.
    INSERT INTO vault_search (vault_search, rank) VALUES ('rank', 'bm25(10.0, 1.0)');
    CREATE TRIGGER vault_notes_insert AFTER INSERT ON vault_notes BEGIN
        INSERT INTO vault_search (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER vault_notes_delete AFTER DELETE ON vault_notes BEGIN
        INSERT INTO vault_search (vault_search, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END;
    CREATE TRIGGER vault_notes_update AFTER UPDATE OF title, text ON vault_notes BEGIN
        INSERT INTO vault_search (vault_search, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO vault_search (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    `,
    },
    {
        id: "006-turn-usage",
        sql: `
    -- Each turn's token usage as the backend reported it (SPEC §12), summed per conversation on request.
    CREATE TABLE turn_usage (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL
    );
    CREATE INDEX turn_usage_by_conversation ON turn_usage (conversation_id);
    `,
    },
];
