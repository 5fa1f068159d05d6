/** Conversations, their canonical messages and their kept branches (docs/notes.md). */
import type { CanonicalMessage } from "../messages";
import type { Db } from "./db";

export interface ConversationRow {
    id: string;
    agent: string;
    note_path: string | null;
    title: string;
    parent_id: string | null;
    created_at: string;
    updated_at: string;
    message_count: number;
}

export interface BranchRow {
    branch_id: string;
    forked_at: number;
    created_at: string;
    message_count: number;
}

export interface NewConversation {
    id: string;
    agent: string;
    notePath: string;
    title: string;
    parentId: string | null;
}

/** What one finished turn changes in a conversation's history. */
export interface TurnCommit {
    conversationId: string;
    /** Keep messages before this index; later ones are replaced (a fork keeps them as a branch). */
    keep: number;
    /** The earlier history, kept as a branch, when the note forked it. */
    branch?: { id: string; forkedAt: number; messages: CanonicalMessage[] };
    append: CanonicalMessage[];
    agent: string;
    title: string;
    notePath: string;
}

const now = (): string => new Date().toISOString();

export class ConversationStore {
    constructor(private readonly db: Db) {}

    get(id: string): Promise<ConversationRow | undefined> {
        return this.db.get<ConversationRow>("SELECT * FROM conversations WHERE id = ?", [id]);
    }

    /**
     * Removes conversations that never got a message (created for a turn whose daemon died before the
     * backend answered), so they neither linger nor count. Only at start, when no turn is running.
     */
    async removeEmpty(): Promise<number> {
        const { changes } = await this.db.write(
            `DELETE FROM conversations WHERE message_count = 0
                AND NOT EXISTS (SELECT 1 FROM messages WHERE messages.conversation_id = conversations.id)
                AND NOT EXISTS (SELECT 1 FROM branches WHERE branches.conversation_id = conversations.id)
                AND NOT EXISTS (SELECT 1 FROM conversations AS child WHERE child.parent_id = conversations.id)`,
        );
        return changes;
    }

    async create(c: NewConversation, messages: CanonicalMessage[] = []): Promise<ConversationRow> {
        const at = now();
        await this.db.tx(async () => {
            await this.db.run(
                "INSERT INTO conversations (id, agent, note_path, title, parent_id, created_at, updated_at, message_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [c.id, c.agent, c.notePath, c.title, c.parentId, at, at, messages.length],
            );
            await this.insertMessages(c.id, 0, messages, at);
        });
        return (await this.get(c.id))!;
    }

    async messages(id: string): Promise<CanonicalMessage[]> {
        return [...(await this.messagesOneByOne(id))];
    }

    /**
     * The same history read in one query (one consistent snapshot), each message parsed only when it is
     * reached and its stored text let go after: a download streams a long history without holding it twice.
     */
    async messagesOneByOne(id: string): Promise<Iterable<CanonicalMessage>> {
        const rows: Array<{ role: "user" | "assistant"; content: string } | null> = await this.db.all(
            "SELECT role, content FROM messages WHERE conversation_id = ? ORDER BY seq",
            [id],
        );
        return (function* () {
            for (let i = 0; i < rows.length; i++) {
                const r = rows[i]!;
                rows[i] = null;
                yield { role: r.role, content: JSON.parse(r.content) as CanonicalMessage["content"] };
            }
        })();
    }

    /** Points the conversation at a note that moved (renamed, or its old note is gone). */
    async moveNote(id: string, notePath: string): Promise<void> {
        await this.db.write("UPDATE conversations SET note_path = ? WHERE id = ?", [notePath, id]);
    }

    async commitTurn(commit: TurnCommit): Promise<void> {
        const at = now();
        await this.db.tx(async () => {
            const id = commit.conversationId;
            if (commit.branch) {
                await this.db.run(
                    "INSERT INTO branches (id, conversation_id, forked_at, created_at, message_count, messages) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        commit.branch.id,
                        id,
                        commit.branch.forkedAt,
                        at,
                        commit.branch.messages.length,
                        JSON.stringify(commit.branch.messages),
                    ],
                );
            }
            await this.db.run("DELETE FROM messages WHERE conversation_id = ? AND seq >= ?", [id, commit.keep]);
            await this.insertMessages(id, commit.keep, commit.append, at);
            await this.db.run(
                "UPDATE conversations SET agent = ?, title = ?, note_path = ?, updated_at = ?, message_count = ? WHERE id = ?",
                [commit.agent, commit.title, commit.notePath, at, commit.keep + commit.append.length, id],
            );
        });
    }

    branches(id: string): Promise<BranchRow[]> {
        return this.db.all<BranchRow>(
            "SELECT id AS branch_id, forked_at, created_at, message_count FROM branches WHERE conversation_id = ? ORDER BY created_at, id",
            [id],
        );
    }

    async branch(id: string, branchId: string): Promise<(BranchRow & { messages: CanonicalMessage[] }) | undefined> {
        const row = await this.db.get<BranchRow & { messages: string }>(
            "SELECT id AS branch_id, forked_at, created_at, message_count, messages FROM branches WHERE conversation_id = ? AND id = ?",
            [id, branchId],
        );
        return row && { ...row, messages: JSON.parse(row.messages) as CanonicalMessage[] };
    }

    private async insertMessages(id: string, from: number, messages: CanonicalMessage[], at: string): Promise<void> {
        for (let i = 0; i < messages.length; i++) {
            const m = messages[i]!;
            await this.db.run("INSERT INTO messages (conversation_id, seq, role, content, created_at) VALUES (?, ?, ?, ?, ?)", [
                id,
                from + i,
                m.role,
                JSON.stringify(m.content),
                at,
            ]);
        }
    }
}
