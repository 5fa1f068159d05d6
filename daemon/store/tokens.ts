/** API tokens, stored hashed, and the audit log of who ran what. */
import { redact } from "../log";
import type { Db } from "./db";

export interface TokenRow {
    name: string;
    hash: string;
    scopes: string;
    created_at: string;
}

export interface AuditEntry {
    actor: string | null;
    action: string;
    notePath?: string;
    agent?: string;
    conversationId?: string;
    status?: string;
    detail?: string;
}

export class TokenStore {
    constructor(private readonly db: Db) {}

    all(): Promise<TokenRow[]> {
        return this.db.all<TokenRow>("SELECT name, hash, scopes, created_at FROM tokens ORDER BY name");
    }

    async put(name: string, hash: string, scopes: string): Promise<void> {
        await this.db.write("INSERT OR REPLACE INTO tokens (name, hash, scopes, created_at) VALUES (?, ?, ?, ?)", [
            name,
            hash,
            scopes,
            new Date().toISOString(),
        ]);
    }

    async remove(name: string): Promise<boolean> {
        return (await this.db.write("DELETE FROM tokens WHERE name = ?", [name])).changes > 0;
    }
}

export class AuditStore {
    constructor(private readonly db: Db) {}

    /** The detail is stored redacted like the log: an error text may carry an API key. */
    async add(e: AuditEntry): Promise<void> {
        await this.db.write(
            "INSERT INTO audit (at, actor, action, note_path, agent, conversation_id, status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new Date().toISOString(),
                e.actor,
                e.action,
                e.notePath ?? null,
                e.agent ?? null,
                e.conversationId ?? null,
                e.status ?? null,
                e.detail === undefined ? null : redact(e.detail),
            ],
        );
    }

    recent(limit = 100): Promise<Array<Record<string, unknown>>> {
        return this.db.all("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit]);
    }
}
