/**
 * What a push must satisfy before git accepts it (SPEC §6): only `main`, never deleted; every block
 * file it changes is UTF-8, has frontmatter that parses with the notes' safety rules and only known
 * keys, and fits its `limit`. Only the files that differ between the old and new commit are read,
 * from the push's quarantine. Each problem is one line: file, then what is wrong.
 */
import { relative, resolve, sep } from "node:path";
import { isBlockPath, parseBlockFile } from "./block-file";
import { EMPTY_TREE, MAIN, type MemoryRepo } from "./repository";
import type { HookRequest } from "./push-hook";
import type { PushDigest } from "./sync";

const isZero = (id: string): boolean => /^0+$/.test(id);

/** The problems (none: accept), and what was learned on the way for the sync that follows. */
export async function checkPush(repo: MemoryRepo, request: HookRequest): Promise<{ problems: string[]; digest?: PushDigest }> {
    const problems: string[] = [];
    let digest: PushDigest | undefined;
    const env = quarantineEnv(repo, request.objectEnv);
    for (const update of request.updates) {
        if (update.ref !== MAIN) {
            problems.push(`${update.ref}: only the main branch is kept here; push to main`);
            continue;
        }
        if (isZero(update.new)) {
            problems.push(`${MAIN}: main cannot be deleted`);
            continue;
        }
        const from = isZero(update.old) ? EMPTY_TREE : update.old;
        const changes = await repo.diff(from, update.new, env);
        digest = { from, to: update.new, changes, blocks: new Map() };
        const files = changes.filter((c) => c.status !== "D" && isBlockPath(c.path));
        for (const c of files) {
            if (c.mode === "120000") problems.push(`${c.path}: is a symbolic link; a block must be a regular file`);
            else if (c.mode === "160000") problems.push(`${c.path}: is a submodule; a block must be a regular file`);
        }
        const regular = files.filter((c) => c.mode.startsWith("100"));
        const blobs = await repo.readBlobs(regular.map((c) => c.blob!), env);
        for (const c of regular) {
            const parsed = parseBlockFile(c.path, blobs.get(c.blob!) ?? Buffer.alloc(0));
            for (const problem of parsed.problems ?? []) problems.push(`${printable(c.path)}: ${problem}`);
            if (parsed.block) digest.blocks.set(c.path, { blob: c.blob!, block: parsed.block });
        }
    }
    const n = problems.length;
    if (n > 0) problems.push(`push refused: ${n === 1 ? "1 problem" : `${n} problems`}; nothing was changed`);
    return { problems, digest: n === 0 ? digest : undefined };
}

/** The quarantine the hook reported, accepted only inside this repository's object store. */
function quarantineEnv(repo: MemoryRepo, env: Record<string, string>): Record<string, string> {
    const objects = resolve(repo.dir, "objects");
    const inside = (dir: string | undefined): boolean => {
        if (!dir) return false;
        const rel = relative(objects, resolve(repo.dir, dir));
        return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep));
    };
    const out: Record<string, string> = {};
    if (inside(env.GIT_OBJECT_DIRECTORY)) out.GIT_OBJECT_DIRECTORY = env.GIT_OBJECT_DIRECTORY!;
    if (out.GIT_OBJECT_DIRECTORY) out.GIT_ALTERNATE_OBJECT_DIRECTORIES = objects;
    return out;
}

/** A path as one printable line (git allows line breaks and control characters in names). */
function printable(path: string): string {
    return /[\u0000-\u001f\u007f]/.test(path) ? JSON.stringify(path) : path;
}
