/**
 * simple-git on a memory repository: the one factory, and the reading of the paths it prints. Every
 * command whose output the daemon reads runs through here (commits, diffs, tree listings, blob
 * reads); the few that cannot are in git-process.ts, which says why. docs/memory.md has the list.
 */
import { type SimpleGit, simpleGit } from "simple-git";
import { GitCommandError, gitEnv } from "./git-process";

/**
 * simple-git for the bare repository `gitDir`, with the daemon's safe environment (gitEnv) plus `env`
 * (a push's quarantine, an index file, an author). A new instance per command: an instance runs its
 * commands one after another and `.env()` holds for all of them, so one instance shared by callers
 * with different environments would mix them up. Making one costs about 0.05 ms.
 */
export function memoryGit(gitDir: string, env: Record<string, string> = {}): SimpleGit {
    const full = gitEnv({ ...env, GIT_DIR: gitDir });
    let args: string[] = [];
    return simpleGit({
        baseDir: gitDir,
        // Names in text output come quoted C-style, all ASCII (gitPath), whatever the repository says.
        config: ["core.quotePath=true"],
        // simple-git drops or refuses GIT_* variables it is not told about; these are the daemon's own.
        allowEnvironment: Object.keys(full),
        // It guards GIT_CONFIG_GLOBAL as a way in for foreign config; here it points at /dev/null to keep
        // the person's config out.
        unsafe: { allowUnsafeConfigPaths: true },
        // Any non-zero exit fails, as with git-process.ts (simple-git lets one without stderr pass).
        errors: (error, result) =>
            result.exitCode === 0 ? error : new GitCommandError(args, result.exitCode, Buffer.concat(result.stdErr).toString("utf8")),
    })
        .env(full)
        .outputHandler((_command, _stdout, _stderr, spawned) => (args = spawned));
}

/** The backslash escapes git's quote_c_style writes, besides three octal digits. */
const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/**
 * A path as git prints it in text output, back to its bytes and read as UTF-8. With core.quotePath a
 * name holding a control character, `"`, `\` or any byte over 0x7f is printed in double quotes with C
 * escapes (`"caf\303\251.md"`), so the text is ASCII and survives simple-git's UTF-8 decoding intact.
 */
export function gitPath(field: string): { path: string; notUtf8?: true } {
    if (!field.startsWith('"')) return decodeName(Buffer.from(field, "utf8"));
    const bytes: number[] = [];
    for (let i = 1; i < field.length - 1; i++) {
        const c = field[i]!;
        if (c !== "\\") {
            bytes.push(c.charCodeAt(0));
        } else if (/[0-7]/.test(field[i + 1] ?? "")) {
            bytes.push(Number.parseInt(field.slice(i + 1, i + 4), 8));
            i += 3;
        } else {
            const next = field[++i] ?? "";
            bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
        }
    }
    return decodeName(Buffer.from(bytes));
}

/** A path's bytes: UTF-8, or shown as ASCII with `\xNN` for the rest. */
function decodeName(bytes: Buffer): { path: string; notUtf8?: true } {
    try {
        return { path: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
    } catch {
        return {
            path: [...bytes]
                .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`))
                .join(""),
            notUtf8: true,
        };
    }
}

/** Text output's lines, without the empty one after the final line break. */
export function outputLines(text: string): string[] {
    return text.split("\n").filter((line) => line !== "");
}
