/**
 * The memory repository reads file names from git's text output (through simple-git), where git
 * quotes unusual names C-style. Every byte of a name must come back: control characters, quotes,
 * backslashes, UTF-8, and names that are not UTF-8 (shown with `\xNN`, flagged `notUtf8`).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { gitPath } from "../../daemon/memory/git-client";
import { GitCommandError } from "../../daemon/memory/git-process";
import { EMPTY_TREE, MemoryRepo } from "../../daemon/memory/repository";
import { scratch } from "../helpers/daemon";

const who = { name: "tester", email: "tester@lodge.local" };

/** Names as bytes, and what the repository should call them. */
const NAMES: Array<[Buffer, string]> = [
    [Buffer.from("plain.md"), "plain.md"],
    [Buffer.from("with space.md"), "with space.md"],
    [Buffer.from("tab\there.md"), "tab\there.md"],
    [Buffer.from("new\nline.md"), "new\nline.md"],
    [Buffer.from('say "hi".md'), 'say "hi".md'],
    [Buffer.from("back\\slash.md"), "back\\slash.md"],
    [Buffer.from("bell\x07\x7f.md"), "bell\x07\x7f.md"],
    [Buffer.from("café 😀.md"), "café 😀.md"],
    [Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6d, 0x64]), "caf\\xe9.md"],
];

function gitIn(dir: string, args: string[], input?: Buffer): string {
    return execFileSync("git", [`--git-dir=${dir}`, ...args], {
        input,
        env: {
            ...process.env,
            GIT_CONFIG_NOSYSTEM: "1",
            GIT_CONFIG_GLOBAL: "/dev/null",
            GIT_AUTHOR_NAME: "t",
            GIT_AUTHOR_EMAIL: "t@t",
            GIT_COMMITTER_NAME: "t",
            GIT_COMMITTER_EMAIL: "t@t",
        },
    })
        .toString("utf8")
        .trim();
}

describe("memory repository: file names read back from git", () => {
    let repo: MemoryRepo;
    let commit: string;
    let blob: string;

    before(async () => {
        repo = new MemoryRepo(join(scratch("lodge-git-paths-"), "r.git"));
        await repo.ensure([{ path: "human.md", text: "---\ndescription: d\n---\n" }], who);
        blob = gitIn(repo.dir, ["hash-object", "-w", "--stdin"], Buffer.from("hello\n"));
        const entries = NAMES.map(([name]) => Buffer.concat([Buffer.from(`100644 blob ${blob}\t`), name, Buffer.from([0])]));
        const tree = gitIn(repo.dir, ["mktree", "-z"], Buffer.concat(entries));
        commit = gitIn(repo.dir, ["commit-tree", tree, "-m", "odd names"]);
    });

    it("diff gives every name back, with notUtf8 only on the one that is not UTF-8", async () => {
        const changes = await repo.diff(EMPTY_TREE, commit);
        assert.deepEqual(
            changes.map((c) => [c.path, c.status, c.blob, c.mode, c.notUtf8 ?? false]).sort(),
            NAMES.map(([, path]) => [path, "A", blob, "100644", path === "caf\\xe9.md"]).sort(),
        );
    });

    it("paths and tree list the same names", async () => {
        const expected = NAMES.map(([, path]) => path).sort();
        assert.deepEqual((await repo.paths(commit)).sort(), expected);
        assert.deepEqual((await repo.tree(commit, ".", true)).map((e) => e.path).sort(), expected);
    });

    it("reads one blob and several alike", async () => {
        const human = (await repo.tree((await repo.head())!, "human.md", false))[0]!.id;
        assert.equal((await repo.readBlobs([blob])).get(blob)!.toString(), "hello\n");
        const both = await repo.readBlobs([blob, human, blob]);
        assert.deepEqual([...both.keys()].sort(), [blob, human].sort());
        assert.equal(both.get(human)!.toString(), "---\ndescription: d\n---\n");
    });

    it("lists nothing for a path that is absent, and reads the empty blob as empty", async () => {
        assert.deepEqual(await repo.tree(commit, "skills/", true), []);
        const empty = gitIn(repo.dir, ["hash-object", "-w", "--stdin"], Buffer.alloc(0));
        assert.deepEqual([...(await repo.readBlobs([empty])).entries()], [[empty, Buffer.alloc(0)]]);
        assert.equal((await repo.readBlobs([empty, blob])).get(blob)!.toString(), "hello\n");
    });

    it("fails with GitCommandError, naming the command, when git does", async () => {
        await assert.rejects(
            repo.diff("0123456789012345678901234567890123456789", commit),
            (err: unknown) => err instanceof GitCommandError && /diff-tree .* failed \(128\)/.test(err.message),
        );
    });

    it("unquotes every escape git writes", () => {
        assert.deepEqual(gitPath('"a\\tb\\n\\"\\\\\\a\\b\\v\\f\\r\\177"'), { path: 'a\tb\n"\\\x07\b\v\f\r\x7f' });
        assert.deepEqual(gitPath('"\\303\\251"'), { path: "é" });
        assert.deepEqual(gitPath("plain"), { path: "plain" });
    });
});
