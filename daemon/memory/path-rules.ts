/**
 * Paths every clone can check out (docs/memory.md): UTF-8 names, at most 255 bytes per name and
 * 1,024 per path, and no two paths that differ only in letter case or Unicode normalisation (macOS
 * and Windows keep one of them, silently). A pushed path is checked against the whole tree it lands
 * in, so a `Persona.md` beside `persona.md` already on main is caught too.
 */
import type { Change } from "./repository";

export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 1024;

const fmt = (n: number): string => n.toLocaleString("en-US");

/** How a case-insensitive, normalisation-insensitive file system sees a path. */
const foldKey = (path: string): string => path.normalize("NFC").toLowerCase();

/** One line per problem: the path, then what is wrong. `tree` is every path of the pushed commit. */
export function pathProblems(present: Change[], tree: string[], printable: (path: string) => string): string[] {
    const problems: string[] = [];
    for (const c of present) {
        if (c.notUtf8) {
            problems.push(`${printable(c.path)}: the file name is not UTF-8; use names every clone can check out`);
            continue;
        }
        const bytes = Buffer.byteLength(c.path);
        if (bytes > MAX_PATH_BYTES)
            problems.push(
                `${printable(c.path.slice(0, 60))}…: the path is ${fmt(bytes)} bytes; at most ${fmt(MAX_PATH_BYTES)} are allowed`,
            );
        for (const name of c.path.split("/")) {
            const n = Buffer.byteLength(name);
            if (n > MAX_NAME_BYTES)
                problems.push(
                    `${printable(name.slice(0, 60))}…: the name is ${fmt(n)} bytes; at most ${MAX_NAME_BYTES} per file or folder name`,
                );
        }
    }
    const byKey = new Map<string, string[]>();
    for (const path of tree) {
        const key = foldKey(path);
        const same = byKey.get(key);
        if (same) same.push(path);
        else byKey.set(key, [path]);
    }
    const reported = new Set<string>();
    for (const c of present) {
        const key = foldKey(c.path);
        const twins = byKey.get(key) ?? [];
        if (twins.length < 2 || reported.has(key)) continue;
        reported.add(key);
        const others = twins.filter((p) => p !== c.path).map(printable);
        problems.push(
            `${printable(c.path)}: differs only in letter case from ${others.join(", ")}; a clone on macOS or Windows cannot hold both`,
        );
    }
    return problems;
}
