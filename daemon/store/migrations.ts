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
];
