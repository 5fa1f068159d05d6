/**
 * One agent's bare memory repository and the plumbing the daemon needs on it: create it, read `main`,
 * diff two commits, list trees, read blobs, and commit one file without a work tree. Commands whose
 * output is read run through simple-git (memoryGit); stdin-fed and silent ones through git-process.ts.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gitPath, memoryGit, outputLines } from "./git-client";
import { git, gitText } from "./git-process";
import { PRE_RECEIVE } from "./push-hook";

export const MAIN = "refs/heads/main";
export const ZERO_ID = "0".repeat(40);
/** The empty tree: the "old" side of a diff against nothing (git knows it without storing it). */
export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
/** The empty file's blob: its content is known without asking git (which would print nothing; git-process.ts). */
const EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

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

/** One entry of `git ls-tree`. */
export interface TreeEntry {
    mode: string;
    type: string;
    id: string;
    path: string;
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
            await memoryGit(this.dir).init(true, ["--initial-branch=main"]);
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
            const commit = await this.commitTree(tree, [], "lodge: new memory", author);
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
        // Without --quiet: a missing ref is then reported on stderr, and simple-git need not wait (git-process.ts).
        const out = await memoryGit(this.dir)
            .revparse(["--verify", MAIN])
            .catch(() => "");
        return out === "" ? null : out;
    }

    /** What changed from `from` (a commit or the empty tree) to `to`, recursively, renames as delete + add. */
    async diff(from: string, to: string, env?: Record<string, string>): Promise<Change[]> {
        const out = await memoryGit(this.dir, env).raw(["diff-tree", "-r", "--no-renames", "--no-commit-id", from, to]);
        const changes: Change[] = [];
        for (const line of outputLines(out)) {
            // ":100644 100644 <old> <new> M\t<path>"
            const [, , newMode, , newBlob, status, quoted] = /^:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*\t(.*)$/.exec(line) ?? [];
            const name = gitPath(quoted ?? "");
            if (!status || !name.path) continue;
            const s = status as Change["status"];
            changes.push({
                status: s,
                path: name.path,
                mode: newMode!,
                ...(s !== "D" && { blob: newBlob }),
                ...(name.notUtf8 && { notUtf8: true as const }),
            });
        }
        return changes;
    }

    /** Every file path in a commit's tree (names that are not UTF-8 with `\xNN` escapes). */
    async paths(commit: string, env?: Record<string, string>): Promise<string[]> {
        const out = await memoryGit(this.dir, env).raw(["ls-tree", "-r", "--name-only", "--full-tree", commit]);
        return outputLines(out).map((line) => gitPath(line).path);
    }

    /**
     * The entries at `path` on `commit` (everything below it with `recursive`). On the raw side: the
     * listing is empty whenever `path` is absent (`skills/` of every agent without skills, read again
     * after each commit), and simple-git would wait 50 ms on it (git-process.ts).
     */
    async tree(commit: string, path: string, recursive: boolean): Promise<TreeEntry[]> {
        const out = await git(this.dir, ["-c", "core.quotePath=true", "ls-tree", ...(recursive ? ["-r"] : []), commit, "--", path]);
        const entries: TreeEntry[] = [];
        for (const line of outputLines(out.toString("utf8"))) {
            // "<mode> <type> <id>\t<path>"
            const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/.exec(line);
            if (m) entries.push({ mode: m[1]!, type: m[2]!, id: m[3]!, path: gitPath(m[4]!).path });
        }
        return entries;
    }

    /** Blob contents by id: one through simple-git's buffer API, more by one `git cat-file --batch` (stdin-fed). */
    async readBlobs(ids: string[], env?: Record<string, string>): Promise<Map<string, Buffer>> {
        const blobs = new Map<string, Buffer>();
        const wanted = new Set(ids);
        if (wanted.delete(EMPTY_BLOB)) blobs.set(EMPTY_BLOB, Buffer.alloc(0));
        const unique = [...wanted];
        if (unique.length === 0) return blobs;
        if (unique.length === 1)
            return blobs.set(unique[0]!, (await memoryGit(this.dir, env).binaryCatFile(["blob", unique[0]!])) as Buffer);
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
            const tree = (await memoryGit(this.dir, env).raw(["write-tree"])).trim();
            const commit = await this.commitTree(tree, [parent], message, author);
            await git(this.dir, ["update-ref", "-m", message, MAIN, commit, parent]);
            return commit;
        } finally {
            await rm(index, { force: true });
        }
    }

    /** A commit of `tree` on `parents` by `author` (also its committer); `main` does not move. */
    private async commitTree(tree: string, parents: string[], message: string, author: Identity): Promise<string> {
        const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-m", message];
        return (await memoryGit(this.dir, identityEnv(author)).raw(args)).trim();
    }

    /** Lets git pack loose objects now and then (receive-pack's own auto-gc is off; see ensure). */
    async gc(): Promise<void> {
        await git(this.dir, ["gc", "--auto", "--quiet"]);
    }
}

function identityEnv(who: Identity): Record<string, string> {
    return { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
}
