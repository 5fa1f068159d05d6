/**
 * What a push must satisfy before git accepts it (docs/memory.md): only `main`, never deleted; every block
 * file it changes is UTF-8, has frontmatter that parses with the notes' safety rules and only known
 * keys, and fits its `limit`; every skill's SKILL.md it changes has a readable frontmatter whose
 * `name`, `description` and `triggers` are what a skill needs (docs/memory.md); every path it adds can be
 * checked out by every clone (path-rules.ts). Only the files that differ
 * between the old and new commit are read, from the push's quarantine. Each problem is one line:
 * file, then what is wrong.
 */
import { relative, resolve, sep } from "node:path";
import { isBlockPath, parseBlockFile } from "./block-file";
import { pathProblems } from "./path-rules";
import { EMPTY_TREE, MAIN, type MemoryRepo } from "./repository";
import { misnamedSkillFile, skillFolder, skillProblems } from "./skills";
import type { HookRequest } from "./push-hook";
import type { PushDigest } from "./sync";

const isZero = (id: string): boolean => /^0+$/.test(id);
/** `remote:` lines shown at most; a hostile push once printed 75,000 of them. */
const MAX_PROBLEM_LINES = 50;

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
        const landed = changes.filter((c) => c.status !== "D");
        problems.push(...pathProblems(landed, await repo.paths(update.new, env), printable));
        // A name that is not UTF-8 has said all there is to say about it.
        const present = landed.filter((c) => !c.notUtf8);
        const files = present.filter((c) => isBlockPath(c.path));
        for (const c of files) {
            if (c.mode === "120000") problems.push(`${c.path}: is a symbolic link; a block must be a regular file`);
            else if (c.mode === "160000") problems.push(`${c.path}: is a submodule; a block must be a regular file`);
        }
        const skills = present.filter((c) => skillFolder(c.path) !== null);
        for (const c of skills) {
            if (!c.mode.startsWith("100")) problems.push(`${printable(c.path)}: is not a regular file; a skill's SKILL.md must be one`);
        }
        for (const c of present) {
            if (misnamedSkillFile(c.path)) problems.push(`${printable(c.path)}: a skill's file is named SKILL.md, in capitals`);
        }
        const regular = files.filter((c) => c.mode.startsWith("100"));
        const regularSkills = skills.filter((c) => c.mode.startsWith("100"));
        const blobs = await repo.readBlobs(
            [...regular, ...regularSkills].map((c) => c.blob!),
            env,
        );
        for (const c of regular) {
            const parsed = parseBlockFile(c.path, blobs.get(c.blob!) ?? Buffer.alloc(0));
            for (const problem of parsed.problems ?? []) problems.push(`${printable(c.path)}: ${problem}`);
            if (parsed.block) digest.blocks.set(c.path, { blob: c.blob!, block: parsed.block });
        }
        for (const c of regularSkills) {
            for (const problem of skillProblems(skillFolder(c.path)!, blobs.get(c.blob!) ?? Buffer.alloc(0)))
                problems.push(`${printable(c.path)}: ${problem}`);
        }
    }
    const n = problems.length;
    if (n === 0) return { problems, digest };
    const shown = problems.slice(0, MAX_PROBLEM_LINES);
    if (n > MAX_PROBLEM_LINES) shown.push(`… and ${n - MAX_PROBLEM_LINES} more problems`);
    shown.push(`push refused: ${n === 1 ? "1 problem" : `${n} problems`}; nothing was changed`);
    return { problems: shown };
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
