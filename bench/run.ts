/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or the ones named on the command line), prints one
 * line per figure beside its budget, and exits 1 when a budget is missed or a bench fails.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { formatRow, passed, type BenchModule } from "./report";

async function main(): Promise<number> {
    const only = process.argv.slice(2);
    const files = readdirSync(__dirname)
        .filter((f) => f.endsWith(".bench.ts"))
        .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
        .sort();
    let failures = 0;
    for (const file of files) {
        console.log(`# ${file}`);
        try {
            const mod = (await import(join(__dirname, file))) as BenchModule;
            for (const row of await mod.run()) {
                console.log(formatRow(row));
                if (!passed(row)) failures++;
            }
        } catch (err) {
            failures++;
            console.log(`FAIL ${file}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        }
    }
    console.log(failures === 0 ? "bench: every budget met" : `bench: ${failures} budget(s) missed or bench(es) failed`);
    return failures === 0 ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err);
        process.exit(1);
    },
);
