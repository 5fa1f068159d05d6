/**
 * Memory blocks as the prompt reads them (docs/memory.md), mirrored from each agent's git repository, and
 * the last commit mirrored. A block whose file was deleted is detached, never deleted.
 */
import type { Db } from "./db";

export interface BlockInput {
    label: string;
    value: string;
    description: string | null;
    limit: number;
    readOnly: boolean;
    metadata: Record<string, unknown>;
    frontmatter: string;
}

export interface Block extends BlockInput {
    attached: boolean;
    /** The commit the block was last read from. */
    commit: string;
    updatedAt: string;
}

interface BlockRow {
    label: string;
    value: string;
    description: string | null;
    chars_limit: number;
    read_only: number;
    metadata: string;
    frontmatter: string;
    attached: number;
    commit_id: string;
    updated_at: string;
}

/** Rows per INSERT: 10 parameters each, far under SQLite's limit of 32,766. */
const UPSERT_BATCH = 200;

const COLUMNS = "label, value, description, chars_limit, read_only, metadata, frontmatter, attached, commit_id, updated_at";

function toBlock(row: BlockRow): Block {
    return {
        label: row.label,
        value: row.value,
        description: row.description,
        limit: row.chars_limit,
        readOnly: row.read_only === 1,
        metadata: JSON.parse(row.metadata) as Record<string, unknown>,
        frontmatter: row.frontmatter,
        attached: row.attached === 1,
        commit: row.commit_id,
        updatedAt: row.updated_at,
    };
}

export interface SyncChanges {
    upserts: BlockInput[];
    detach: string[];
    /** The commit these changes bring the table to. */
    commit: string;
    /** Detach every attached block not upserted here (a full resync). */
    detachOthers?: boolean;
}

export class BlockStore {
    constructor(private readonly db: Db) {}

    /** The blocks in the prompt: attached ones, in label order. */
    async attached(agent: string): Promise<Block[]> {
        const rows = await this.db.all<BlockRow>(`SELECT ${COLUMNS} FROM blocks WHERE agent = ? AND attached = 1 ORDER BY label`, [agent]);
        return rows.map(toBlock);
    }

    async get(agent: string, label: string): Promise<Block | undefined> {
        const row = await this.db.get<BlockRow>(`SELECT ${COLUMNS} FROM blocks WHERE agent = ? AND label = ?`, [agent, label]);
        return row && toBlock(row);
    }

    async syncedCommit(agent: string): Promise<string | null> {
        const row = await this.db.get<{ commit_id: string }>("SELECT commit_id FROM memory_sync WHERE agent = ?", [agent]);
        return row?.commit_id ?? null;
    }

    /** Applies one commit's changes and records it as synced, all or nothing. */
    async apply(agent: string, changes: SyncChanges): Promise<void> {
        const now = new Date().toISOString();
        await this.db.tx(async () => {
            if (changes.detachOthers) {
                await this.db.run("UPDATE blocks SET attached = 0, updated_at = ? WHERE agent = ? AND attached = 1", [now, agent]);
            }
            // Many rows per statement: a push of a thousand blocks is a few statements, not a thousand.
            for (let at = 0; at < changes.upserts.length; at += UPSERT_BATCH) {
                const batch = changes.upserts.slice(at, at + UPSERT_BATCH);
                await this.db.run(
                    `INSERT INTO blocks (agent, ${COLUMNS}) VALUES ${batch.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)").join(", ")}
                     ON CONFLICT (agent, label) DO UPDATE SET value = excluded.value, description = excluded.description,
                       chars_limit = excluded.chars_limit, read_only = excluded.read_only, metadata = excluded.metadata,
                       frontmatter = excluded.frontmatter, attached = 1, commit_id = excluded.commit_id, updated_at = excluded.updated_at`,
                    batch.flatMap((b) => [
                        agent,
                        b.label,
                        b.value,
                        b.description,
                        b.limit,
                        b.readOnly ? 1 : 0,
                        JSON.stringify(b.metadata),
                        b.frontmatter,
                        changes.commit,
                        now,
                    ]),
                );
            }
            for (const label of changes.detach) {
                await this.db.run("UPDATE blocks SET attached = 0, commit_id = ?, updated_at = ? WHERE agent = ? AND label = ?", [
                    changes.commit,
                    now,
                    agent,
                    label,
                ]);
            }
            await this.db.run(
                "INSERT INTO memory_sync (agent, commit_id, synced_at) VALUES (?, ?, ?) ON CONFLICT (agent) DO UPDATE SET commit_id = excluded.commit_id, synced_at = excluded.synced_at",
                [agent, changes.commit, now],
            );
        });
    }
}
