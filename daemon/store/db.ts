/**
 * SQLite through sqlite3: one connection, WAL, migrations recorded by id. The only place
 * with SQL is daemon/store/ (enforced by lint). sqlite3's API is asynchronous over one connection,
 * so transactions are serialised by a queue: a statement from another request can never land inside
 * someone else's BEGIN … COMMIT, and a rollback never takes another request's write with it.
 */
import { chmod, open } from "node:fs/promises";
import sqlite3 from "sqlite3";
import { MIGRATIONS } from "./migrations";

export type Row = Record<string, unknown>;
export type Param = string | number | null;

export class Db {
    private queue: Promise<unknown> = Promise.resolve();

    private constructor(private readonly db: sqlite3.Database) {}

    static async open(file: string): Promise<Db> {
        const onDisk = file !== "" && file !== ":memory:";
        // The history is the person's: only they may read it, whatever the umask or an older file's mode.
        // SQLite gives -wal and -shm the database file's mode when it creates them.
        if (onDisk) await (await open(file, "a", 0o600)).close();
        if (onDisk) await chmod(file, 0o600);
        const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
            const d = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(d)));
        });
        const db = new Db(raw);
        raw.configure("busyTimeout", 5000);
        await db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
        if (onDisk) for (const extra of [`${file}-wal`, `${file}-shm`]) await chmod(extra, 0o600).catch(() => undefined);
        await db.migrate();
        return db;
    }

    run(sql: string, params: Param[] = []): Promise<{ changes: number; lastID: number }> {
        return new Promise((resolve, reject) => {
            this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
                if (err) reject(err);
                else resolve({ changes: this.changes, lastID: this.lastID });
            });
        });
    }

    get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
        return new Promise((resolve, reject) => {
            this.db.get(sql, params, (err, row) => (err ? reject(err) : resolve(row as T | undefined)));
        });
    }

    all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
        return new Promise((resolve, reject) => {
            this.db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[])));
        });
    }

    exec(sql: string): Promise<void> {
        return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())));
    }

    /** Runs `fn` inside BEGIN IMMEDIATE … COMMIT, after every transaction queued before it. */
    tx<T>(fn: () => Promise<T>): Promise<T> {
        const next = this.queue.then(async () => {
            await this.exec("BEGIN IMMEDIATE");
            try {
                const result = await fn();
                await this.exec("COMMIT");
                return result;
            } catch (err) {
                await this.exec("ROLLBACK").catch(() => undefined);
                throw err;
            }
        });
        this.queue = next.catch(() => undefined);
        return next;
    }

    /** Single writes go through the same queue as transactions, for the reason in the header. */
    write(sql: string, params: Param[] = []): Promise<{ changes: number; lastID: number }> {
        const next = this.queue.then(() => this.run(sql, params));
        this.queue = next.catch(() => undefined);
        return next;
    }

    async integrityCheck(): Promise<string> {
        const row = await this.get<{ integrity_check: string }>("PRAGMA integrity_check");
        return row?.integrity_check ?? "no answer";
    }

    async close(): Promise<void> {
        await this.queue;
        await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
    }

    private async migrate(): Promise<void> {
        await this.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
        const done = new Set((await this.all<{ id: string }>("SELECT id FROM schema_migrations")).map((r) => r.id));
        for (const migration of MIGRATIONS) {
            if (done.has(migration.id)) continue;
            await this.tx(async () => {
                // Another process (a second daemon, `lodge token`) may have applied it since the look above:
                // BEGIN IMMEDIATE holds the write lock, so this second look is the one that counts.
                if (await this.get("SELECT 1 FROM schema_migrations WHERE id = ?", [migration.id])) return;
                await this.exec(migration.sql);
                await this.run("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", [migration.id, new Date().toISOString()]);
            });
        }
    }
}
