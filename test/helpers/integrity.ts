/** `PRAGMA integrity_check` of a data folder's database, as docs/daemon.md promises after any kill. */
import { join } from "node:path";
import { Db } from "../../daemon/store/db";

export async function integrity(data: string): Promise<string> {
    const db = await Db.open(join(data, "lodge.db"));
    try {
        return await db.integrityCheck();
    } finally {
        await db.close();
    }
}
