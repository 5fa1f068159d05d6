/** Hostile pushes to agent memory (issue 9): each is refused quickly with `remote:` lines a person can read. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";
import { FakeLlm } from "../fakes/fake-llm";
import {
    cloneMemory,
    commitAndPush,
    createToken,
    gitCli,
    gitInput,
    gitOk,
    memoryConfig,
    remoteLines,
    writeFiles,
} from "../helpers/git-memory";

describe("memory push hardening (issue 9)", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    let token: string;
    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: { ...memoryConfig(fake), http: { max_body_mb: 1 } } });
        token = createToken(d, "git");
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    /** The daemon's own lines: git's "To …" and "! [remote rejected]" lines are not among them. */
    async function pushRefused(files: Record<string, string | Buffer>): Promise<{ lines: string[]; ms: number; dir: string }> {
        const dir = await cloneMemory(d, token);
        writeFiles(dir, files);
        const start = performance.now();
        const r = await commitAndPush(dir, "hostile");
        const ms = performance.now() - start;
        assert.notEqual(r.code, 0, `the push was accepted:\n${r.stderr}`);
        return { lines: remoteLines(r.stderr), ms, dir };
    }

    async function mainUnchanged(): Promise<void> {
        const dir = await cloneMemory(d, token);
        assert.deepEqual((await gitOk(dir, ["ls-files"])).trim().split("\n"), ["human.md", "persona.md"]);
    }

    it("refuses a block with 75k frontmatter keys at once, in one line", async () => {
        const block = `---\n${Array.from({ length: 75_000 }, (_, i) => `k${i}: v`).join("\n")}\n---\nvalue\n`;
        const { lines, ms } = await pushRefused({ "many.md": block });
        assert.deepEqual(
            lines.filter((l) => l.startsWith("many.md")),
            [lines[0]],
        );
        assert.match(lines[0]!, /^many\.md: the frontmatter is over 64 KB/);
        assert.ok(ms < 5000, `took ${Math.round(ms)} ms`);
        await mainUnchanged();
        console.log(`      75k-key block refused at push in ${Math.round(ms)} ms`);
    });

    it("prints the first 50 problems, then how many more", async () => {
        const files: Record<string, string> = {};
        for (let i = 0; i < 120; i++) files[`bad/b${String(i).padStart(3, "0")}.md`] = "---\ncolour: red\n---\nx\n";
        const { lines } = await pushRefused(files);
        const problems = lines.filter((l) => l.startsWith("bad/"));
        assert.equal(problems.length, 50);
        assert.ok(lines.includes("… and 70 more problems"), lines.slice(48).join("\n"));
        assert.ok(lines.includes("push refused: 120 problems; nothing was changed"));
        await mainUnchanged();
    });

    describe("a push over http.max_body_mb (1 MB here) is refused with a remote: line naming the limit", () => {
        for (const [what, size, args] of [
            ["a 50 MB push (chunked)", 50 * 1024 * 1024, []],
            ["a 3 MB push sent with its length (http.postBuffer raised)", 3 * 1024 * 1024, ["-c", "http.postBuffer=104857600"]],
        ] as const) {
            it(what, async function () {
                this.timeout(60_000);
                const dir = await cloneMemory(d, token);
                writeFiles(dir, { "big.bin": randomBytes(size) });
                await gitOk(dir, ["add", "-A"]);
                await gitOk(dir, ["commit", "--quiet", "-m", "big"]);
                const start = performance.now();
                const r = await gitCli(dir, [...args, "push", "origin", "main"]);
                const ms = performance.now() - start;
                assert.notEqual(r.code, 0);
                const lines = remoteLines(r.stderr);
                assert.ok(
                    lines.some((l) => /over the 1 MB limit.*http\.max_body_mb/.test(l)),
                    r.stderr,
                );
                assert.doesNotMatch(r.stderr, /early EOF|connection reset|unexpected disconnect|RPC failed/i);
                assert.match(r.stderr, /\[remote rejected\] main -> main/);
                await mainUnchanged();
                console.log(`      ${what}: refused in ${Math.round(ms)} ms`);
            });
        }
    });

    describe("paths not every clone can check out are refused, one remote: line each", () => {
        /** Commits `files` (path bytes → text) through the index, so names no file system here allows can be pushed. */
        async function pushPaths(paths: Buffer[]): Promise<string[]> {
            const dir = await cloneMemory(d, token);
            const blob = (await gitInput(dir, ["hash-object", "-w", "--stdin"], "---\ndescription: x\n---\nvalue\n")).trim();
            const entries = Buffer.concat(paths.map((p) => Buffer.concat([Buffer.from(`100644 blob ${blob}\t`), p, Buffer.from([0])])));
            await new Promise<void>((resolve, reject) => {
                const child = execFile("git", ["update-index", "--add", "-z", "--index-info"], { cwd: dir }, (err) =>
                    err ? reject(new Error(err.message)) : resolve(),
                );
                child.stdin!.end(entries);
            });
            await gitOk(dir, ["commit", "--quiet", "-m", "odd paths"]);
            const r = await gitCli(dir, ["push", "origin", "main"]);
            assert.notEqual(r.code, 0, r.stderr);
            await mainUnchanged();
            return remoteLines(r.stderr);
        }

        it("a case twin of a file on main, and two new case twins", async () => {
            const lines = await pushPaths([Buffer.from("Persona.md"), Buffer.from("notes/Alpha.md"), Buffer.from("notes/alpha.md")]);
            assert.equal(lines.filter((l) => /Persona\.md.*persona\.md/.test(l)).length, 1, lines.join("\n"));
            assert.match(
                lines.find((l) => l.includes("Persona.md"))!,
                /differs only in (letter )?case/,
            );
            assert.equal(lines.filter((l) => /notes\/[Aa]lpha\.md.*notes\/[Aa]lpha\.md/.test(l)).length, 1, lines.join("\n"));
            assert.ok(lines.includes("push refused: 2 problems; nothing was changed"), lines.join("\n"));
        });

        it("a file name that is not UTF-8", async () => {
            const lines = await pushPaths([Buffer.concat([Buffer.from("caf"), Buffer.from([0xe9]), Buffer.from(".md")])]);
            assert.equal(lines.length, 2, lines.join("\n"));
            assert.match(lines[0]!, /^caf\\xe9\.md: the file name is not UTF-8/);
        });

        it("a name over 255 bytes and a path over 1,024 bytes", async () => {
            const longName = `${"é".repeat(128)}.md`; // 259 bytes
            const deep = `${Array.from({ length: 5 }, () => "d".repeat(200)).join("/")}/x.md`; // 1,009 bytes: fine
            const deeper = `${Array.from({ length: 6 }, () => "d".repeat(200)).join("/")}/x.md`; // 1,210 bytes
            const lines = await pushPaths([Buffer.from(longName), Buffer.from(deep), Buffer.from(deeper)]);
            assert.equal(lines.length, 3, lines.join("\n"));
            assert.match(
                lines.find((l) => l.startsWith("éé"))!,
                /259 bytes; at most 255/,
            );
            assert.match(
                lines.find((l) => l.startsWith("dd") && l.includes("1,210"))!,
                /path is 1,210 bytes; at most 1,024/,
            );
        });
    });
});
