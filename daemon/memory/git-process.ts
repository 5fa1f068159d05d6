/**
 * Runs the system's git on a memory repository. Not through simple-git: validation and sync read
 * blobs as bytes (UTF-8 is checked here, not guessed by a decoder), feed stdin, and give each command
 * its own environment (a push's quarantine, an agent's identity), which simple-git's text API does not.
 */
import { spawn } from "node:child_process";

export interface GitOptions {
    /** Extra environment for this command (quarantine directories, author, index file). */
    env?: Record<string, string>;
    input?: Buffer | string;
}

export class GitCommandError extends Error {
    override readonly name = "GitCommandError";

    constructor(
        readonly args: string[],
        readonly code: number | null,
        readonly stderr: string,
    ) {
        super(`git ${args.join(" ")} failed (${code ?? "killed"}): ${stderr.trim().split("\n")[0] ?? ""}`);
    }
}

/**
 * The environment every daemon-side git process gets: the person's global and system config are
 * shut out, so a `core.hooksPath` or `receive.*` setting of theirs cannot bypass the push checks;
 * messages are in English so they can be matched; git never prompts.
 */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        LC_ALL: "C",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_TERMINAL_PROMPT: "0",
        ...extra,
    };
}

/** Runs `git --git-dir=<gitDir> <args>`; resolves with stdout as bytes, throws GitCommandError otherwise. */
export function git(gitDir: string, args: string[], options: GitOptions = {}): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const child = spawn("git", [`--git-dir=${gitDir}`, ...args], { env: gitEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        child.stdin.on("error", () => undefined); // git may exit before reading all its input
        child.on("error", reject);
        child.on("close", (code) => {
            if (code === 0) resolve(Buffer.concat(out));
            else reject(new GitCommandError(args, code, Buffer.concat(err).toString("utf8")));
        });
        child.stdin.end(options.input ?? "");
    });
}

/** Like `git`, with stdout as text without its final line break. */
export async function gitText(gitDir: string, args: string[], options: GitOptions = {}): Promise<string> {
    return (await git(gitDir, args, options)).toString("utf8").replace(/\n$/, "");
}
