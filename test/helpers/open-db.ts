/** Opens (and so migrates) the database named on the command line, then closes it: one of several racing processes. */
import { Db } from "../../daemon/store/db";

const file = process.argv[2]!;
Db.open(file)
    .then(async (db) => {
        const check = await db.integrityCheck();
        await db.close();
        process.stdout.write(`${check}\n`);
    })
    .catch((err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    });
