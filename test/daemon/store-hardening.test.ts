/** The database under hostile conditions (issue 9): racing migrations, file modes. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { statSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { MIGRATIONS } from "../../daemon/store/migrations";
import { Db } from "../../daemon/store/db";
import { ROOT, scratch } from "../helpers/daemon";

function openInProcess(file: string): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["--import", "tsx", join(ROOT, "test", "helpers", "open-db.ts"), file],
            { cwd: ROOT },
            (err, out, errOut) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
        );
    });
}

describe("store hardening (issue 9)", () => {
    it("five processes migrating one fresh database at once all succeed, each migration applied once", async function () {
        this.timeout(60_000);
        for (let round = 0; round < 3; round++) {
            const file = join(scratch("lodge-db-race-"), "lodge.db");
            const results = await Promise.all(Array.from({ length: 5 }, () => openInProcess(file)));
            for (const r of results) assert.deepEqual([r.code, r.out.trim(), r.err], [0, "ok", ""], r.err);
            const db = await Db.open(file);
            const ids = (await db.all<{ id: string }>("SELECT id FROM schema_migrations ORDER BY id")).map((r) => r.id);
            await db.close();
            assert.deepEqual(ids, MIGRATIONS.map((m) => m.id).sort());
        }
    });

    it("lodge.db, -wal and -shm are 0600, also when the file already existed as 0644", async () => {
        const dir = scratch("lodge-db-mode-");
        const fresh = join(dir, "fresh.db");
        const old = join(dir, "old.db");
        writeFileSync(old, "");
        chmodSync(old, 0o644);
        for (const file of [fresh, old]) {
            const db = await Db.open(file);
            await db.write("INSERT INTO audit_log (at, token_name, action, detail) VALUES ('t', 'x', 'y', 'z')").catch(() => undefined);
            for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal((statSync(f).mode & 0o777).toString(8), "600", f);
            await db.close();
        }
    });
});
