/**
 * The plugin's release versioning (docs/cli.md): `npm version` in a copy of the project's release files
 * updates package.json, manifest.json and versions.json together, commits them and tags the version
 * without a "v", as Obsidian expects the tag to equal manifest.json's version.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, scratch } from "../helpers/daemon";

const git = (dir: string, ...args: string[]): string =>
    execFileSync("git", args, {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" },
    });

describe("npm version (plugin release)", () => {
    it("bumps package.json, manifest.json and versions.json together, commits and tags the bare version", function () {
        this.timeout(30_000);
        const dir = scratch("lodge-version-");
        mkdirSync(join(dir, "tools"));
        for (const f of ["manifest.json", "versions.json", ".npmrc", "tools/version-bump.mjs"]) copyFileSync(join(ROOT, f), join(dir, f));
        const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; scripts: Record<string, string> };
        // Only what `npm version` needs: the version and the script under test.
        writeFileSync(
            join(dir, "package.json"),
            `${JSON.stringify({ name: "lodge-release-test", version: pkg.version, scripts: { version: pkg.scripts.version } }, null, 2)}\n`,
        );
        git(dir, "init", "-q");
        git(dir, "add", ".");
        git(dir, "commit", "-qm", "start");
        const min = (JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8")) as { minAppVersion: string }).minAppVersion;

        execFileSync("npm", ["version", "7.8.9", "--no-fund", "--no-audit"], {
            cwd: dir,
            env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" },
        });
        assert.equal(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version, "7.8.9");
        assert.equal(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).version, "7.8.9");
        assert.equal(JSON.parse(readFileSync(join(dir, "versions.json"), "utf8"))["7.8.9"], min);
        assert.equal(git(dir, "tag").trim(), "7.8.9", "the tag is the bare version");
        assert.deepEqual(git(dir, "show", "--name-only", "--format=", "HEAD").trim().split("\n").sort(), [
            "manifest.json",
            "package.json",
            "versions.json",
        ]);
        assert.equal(git(dir, "status", "--porcelain"), "", "nothing left uncommitted");
    });
});
