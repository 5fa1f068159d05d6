/**
 * The one place in the daemon that starts git as a child process of its own. Everything else runs
 * git on a memory repository through simple-git (git-client.ts). Three kinds of command stay here:
 *
 * - the CGI bridge (`git http-backend`): its bodies stream both ways and it needs an extra fd 3;
 * - commands fed on stdin (`hash-object --stdin`, `mktree`, `cat-file --batch`): simple-git 4's
 *   `input` option leaves stdin open when the input is empty, so `hash-object --stdin` on an empty
 *   text waits forever (tried: it hung until a timeout);
 * - commands that print nothing (`config`, `read-tree`, `update-index`, `update-ref`, `gc`), or
 *   usually do (`ls-tree` of `skills/` for an agent without skills): simple-git 4.0.2 waits 50 ms
 *   after any command without output before it resolves (its completion plugin, not configurable).
 *   Measured: `git config` 6 ms here, 57 ms through simple-git. An agent's edit runs three such
 *   commands and MCP re-reads the skills after it: `memory_replace` took ~260 ms instead of ~65.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { GitError } from "simple-git";

export interface GitOptions {
    /** Extra environment for this command (quarantine directories, index file). */
    env?: Record<string, string>;
    input?: Buffer | string;
}

/**
 * Git exited with an error. Extends simple-git's error so that both routes throw the same class
 * (simple-git rethrows anything else wrapped in a plain GitError).
 */
export class GitCommandError extends GitError {
    override readonly name = "GitCommandError";

    constructor(
        readonly args: readonly string[],
        readonly code: number | null,
        readonly stderr: string,
    ) {
        super(undefined, `git ${args.join(" ")} failed (${code ?? "killed"}): ${stderr.trim().split("\n")[0] ?? ""}`);
    }
}

/**
 * The environment every daemon-side git process gets: the person's global and system config are
 * shut out, so a `core.hooksPath` or `receive.*` setting of theirs cannot bypass the push checks;
 * messages are in English so they can be matched; git never prompts.
 */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        LC_ALL: "C",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_TERMINAL_PROMPT: "0",
        ...extra,
    };
}

/**
 * Runs `git --git-dir=<gitDir> <args>` for a command fed on stdin or one that prints nothing (see
 * above; anything else goes through git-client.ts). Resolves with stdout as bytes.
 */
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

/**
 * Starts `git http-backend` with the CGI environment `env` (on top of gitEnv); with `hook`, fd 3 is
 * a pipe too, which git passes on to the push hook (push-hook.ts).
 */
export function spawnHttpBackend(env: Record<string, string>, hook: boolean): ChildProcessWithoutNullStreams {
    // stdin, stdout and stderr are pipes whatever fd 3 is.
    return spawn("git", ["http-backend"], {
        stdio: ["pipe", "pipe", "pipe", hook ? "pipe" : "ignore"],
        env: gitEnv(env),
    }) as unknown as ChildProcessWithoutNullStreams;
}
