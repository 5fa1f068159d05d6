/**
 * One agent's bare memory repository and the plumbing the daemon needs on it: create it, read `main`,
 * diff two commits, read blobs in one batch, and commit one file without a work tree.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { git, gitText } from "./git-process";
import { PRE_RECEIVE } from "./push-hook";

export const MAIN = "refs/heads/main";
export const ZERO_ID = "0".repeat(40);
/** The empty tree: the "old" side of a diff against nothing (git knows it without storing it). */
export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

export interface Identity {
    name: string;
    email: string;
}

/** One changed path between two commits (`git diff-tree --raw`). */
export interface Change {
    status: "A" | "M" | "D" | "T";
    path: string;
    /** The new blob (absent for a deletion) and its mode. */
    blob?: string;
    mode: string;
    /** The name's bytes are not UTF-8; `path` then shows them with `\xNN` escapes. */
    notUtf8?: true;
}

export interface SeedFile {
    path: string;
    text: string;
}

export class MemoryRepo {
    constructor(readonly dir: string) {}

    exists(): boolean {
        return existsSync(join(this.dir, "HEAD"));
    }

    /**
     * Creates the bare repository if needed, (re)installs the push hook, and gives `main` its first
     * commit when it has none. Safe to repeat after a crash halfway.
     */
    async ensure(seed: SeedFile[], author: Identity): Promise<void> {
        if (!this.exists()) {
            await mkdir(this.dir, { recursive: true });
            await git(this.dir, ["init", "--quiet", "--bare", "-b", "main"]);
            for (const [key, value] of [
                ["http.receivepack", "true"],
                ["receive.denyDeletes", "true"],
                ["receive.fsckObjects", "true"],
                // receive-pack's automatic gc may detach a process that keeps the CGI's pipes open.
                ["receive.autogc", "false"],
                ["core.logAllRefUpdates", "true"],
            ]) {
                await git(this.dir, ["config", key!, value!]);
            }
        }
        await this.installHook();
        // Index files of agent commits a crash interrupted (they live only for one commit).
        for (const name of await readdir(this.dir)) if (name.startsWith("lodge-index-")) await rm(join(this.dir, name), { force: true });
        if ((await this.head()) === null) {
            const entries: string[] = [];
            for (const file of seed) {
                const blob = await gitText(this.dir, ["hash-object", "-w", "--stdin"], { input: file.text });
                entries.push(`100644 blob ${blob}\t${file.path}\n`);
            }
            const tree = await gitText(this.dir, ["mktree"], { input: entries.join("") });
            const commit = await gitText(this.dir, ["commit-tree", tree, "-m", "lodge: new memory"], { env: identityEnv(author) });
            await git(this.dir, ["update-ref", "-m", "lodge: new memory", MAIN, commit, ZERO_ID]);
        }
    }

    private async installHook(): Promise<void> {
        const file = join(this.dir, "hooks", "pre-receive");
        if ((await readFile(file, "utf8").catch(() => null)) === PRE_RECEIVE) return;
        await mkdir(join(this.dir, "hooks"), { recursive: true });
        await writeFile(file, PRE_RECEIVE, { mode: 0o755 });
    }

    /** The commit `main` points at, or null before the first one. */
    async head(): Promise<string | null> {
        // The loose ref file, when there is one, saves a process (git replaces it atomically);
        // otherwise (packed refs, no commit yet) git answers.
        const loose = (await readFile(join(this.dir, MAIN), "utf8").catch(() => "")).trim();
        if (/^[0-9a-f]{40,64}$/.test(loose)) return loose;
        const out = await gitText(this.dir, ["rev-parse", "--verify", "--quiet", MAIN]).catch(() => "");
        return out === "" ? null : out;
    }

    /** What changed from `from` (a commit or the empty tree) to `to`, recursively, renames as delete + add. */
    async diff(from: string, to: string, env?: Record<string, string>): Promise<Change[]> {
        const parts = splitNul(await git(this.dir, ["diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", from, to], { env }));
        const changes: Change[] = [];
        for (let i = 0; i + 1 < parts.length; i += 2) {
            // ":100644 100644 <old> <new> M"
            const [, , newMode, , newBlob, status] = /^:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])/.exec(parts[i]!.toString("latin1")) ?? [];
            const name = decodeName(parts[i + 1]!);
            if (!status || !name.path) continue;
            const s = status as Change["status"];
            changes.push({ status: s, path: name.path, mode: newMode!, ...(s !== "D" && { blob: newBlob }), ...(name.notUtf8 && { notUtf8: true as const }) });
        }
        return changes;
    }

    /** Every file path in a commit's tree (names that are not UTF-8 with `\xNN` escapes). */
    async paths(commit: string, env?: Record<string, string>): Promise<string[]> {
        const out = await git(this.dir, ["ls-tree", "-r", "-z", "--name-only", "--full-tree", commit], { env });
        return splitNul(out).filter((b) => b.length > 0).map((b) => decodeName(b).path);
    }

    /** Blob contents by id, read by one `git cat-file --batch`. */
    async readBlobs(ids: string[], env?: Record<string, string>): Promise<Map<string, Buffer>> {
        const blobs = new Map<string, Buffer>();
        const unique = [...new Set(ids)];
        if (unique.length === 0) return blobs;
        const out = await git(this.dir, ["cat-file", "--batch"], { env, input: `${unique.join("\n")}\n` });
        let at = 0;
        while (at < out.length) {
            const eol = out.indexOf(10, at);
            const header = out.toString("utf8", at, eol);
            const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
            if (!m) throw new Error(`git cat-file: unexpected line "${header}"`);
            const size = Number(m[3]);
            blobs.set(m[1]!, out.subarray(eol + 1, eol + 1 + size));
            at = eol + 1 + size + 1;
        }
        return blobs;
    }

    /**
     * Commits `text` at `path` on top of `parent` and moves `main` there only if it still points at
     * `parent`. Built with a throw-away index (no work tree); returns the new commit.
     */
    async commitFile(parent: string, path: string, text: string, message: string, author: Identity): Promise<string> {
        const index = join(this.dir, `lodge-index-${randomBytes(6).toString("hex")}`);
        const env = { GIT_INDEX_FILE: index };
        try {
            const blob = await gitText(this.dir, ["hash-object", "-w", "--stdin"], { input: text });
            await git(this.dir, ["read-tree", parent], { env });
            await git(this.dir, ["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], { env });
            const tree = await gitText(this.dir, ["write-tree"], { env });
            const commit = await gitText(this.dir, ["commit-tree", tree, "-p", parent, "-m", message], { env: identityEnv(author) });
            await git(this.dir, ["update-ref", "-m", message, MAIN, commit, parent]);
            return commit;
        } finally {
            await rm(index, { force: true });
        }
    }
}

function identityEnv(who: Identity): Record<string, string> {
    return { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
}

function splitNul(out: Buffer): Buffer[] {
    const parts: Buffer[] = [];
    let at = 0;
    for (let nul = out.indexOf(0, at); nul >= 0; nul = out.indexOf(0, at)) {
        parts.push(out.subarray(at, nul));
        at = nul + 1;
    }
    if (at < out.length) parts.push(out.subarray(at));
    return parts;
}

/** A path from git: UTF-8, or its bytes shown as ASCII with `\xNN` for the rest. */
function decodeName(bytes: Buffer): { path: string; notUtf8?: true } {
    try {
        return { path: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
    } catch {
        return { path: [...bytes].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join(""), notUtf8: true };
    }
}
