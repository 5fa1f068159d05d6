/**
 * One daemon per data folder (docs/daemon.md): the running daemon holds an exclusive SQLite lock on
 * `<data>/daemon.lock`. SQLite locks with POSIX advisory locks, which the OS drops when the process
 * dies, so a `kill -9` never blocks the next start, and there is no stale file to judge by its age or
 * its pid (a pid can be reused). Taken before anything else touches the data folder.
 */
import sqlite3 from "sqlite3";

export class DaemonLock {
    private constructor(private readonly db: sqlite3.Database) {}

    /** The lock, or null when another process holds it. */
    static async take(file: string): Promise<DaemonLock | null> {
        const db = await new Promise<sqlite3.Database>((resolve, reject) => {
            const d = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(d)));
        });
        // No busy timeout: a held lock answers SQLITE_BUSY at once. A rollback journal (not WAL), so
        // BEGIN EXCLUSIVE takes the file's exclusive lock now and keeps it until the connection closes.
        const exec = (sql: string): Promise<void> =>
            new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
        try {
            await exec("PRAGMA journal_mode = DELETE; BEGIN EXCLUSIVE;");
            return new DaemonLock(db);
        } catch (err) {
            await new Promise<void>((resolve) => db.close(() => resolve()));
            if ((err as { code?: string }).code === "SQLITE_BUSY") return null;
            throw err;
        }
    }

    release(): Promise<void> {
        return new Promise((resolve) => this.db.close(() => resolve()));
    }
}
