/**
 * The real git client against a running daemon's memory repositories, as a person uses it: tokens
 * made with `lodge token create`, clones in scratch folders, a clean HOME and no prompts.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FakeLlm } from "../fakes/fake-llm";
import { LODGE_BIN, scratch, type StartedDaemon } from "./daemon";

export interface GitResult {
    code: number;
    stdout: string;
    stderr: string;
}

const HOME = scratch("lodge-git-home-");

/** Runs git (never throws): no global config, no terminal prompts, an identity for commits. */
export function gitCli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<GitResult> {
    return new Promise((resolve) => {
        execFile(
            "git",
            ["-c", "user.name=Pat Person", "-c", "user.email=pat@example.test", "-c", "init.defaultBranch=main", ...args],
            {
                cwd,
                env: { PATH: process.env.PATH, HOME, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", ...env },
                maxBuffer: 64 * 1024 * 1024,
            },
            (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

/** Runs git with `input` on stdin; a failure throws. */
export function gitInput(cwd: string, args: string[], input: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = execFile(
            "git",
            args,
            { cwd, env: { PATH: process.env.PATH, HOME, GIT_CONFIG_NOSYSTEM: "1" } },
            (err, stdout, stderr) => (err ? reject(new Error(`git ${args.join(" ")} failed:\n${stderr}`)) : resolve(stdout)),
        );
        child.stdin!.end(input);
    });
}

/** Like gitCli, but a failure throws with git's own words. */
export async function gitOk(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const r = await gitCli(cwd, args, env);
    if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed (${r.code}):\n${r.stderr}`);
    return r.stdout;
}

/** A new token with the given scopes, made by the CLI while the daemon runs. */
export function createToken(d: StartedDaemon, name: string, scope = "memory"): string {
    const out = execFileSync(process.execPath, [LODGE_BIN, "token", "create", name, "--scope", scope, "--data", d.data], {
        encoding: "utf8",
    });
    return out.trim().split("\n").at(-1)!;
}

export function memoryUrl(d: StartedDaemon, agent: string, token?: string): string {
    const auth = token === undefined ? "" : `lodge:${encodeURIComponent(token)}@`;
    return `http://${auth}127.0.0.1:${d.port}/v1/git/${agent}/state.git`;
}

/** Clones an agent's memory into a fresh folder and returns it. */
export async function cloneMemory(d: StartedDaemon, token: string, agent = "assistant"): Promise<string> {
    const dir = join(scratch("lodge-clone-"), agent);
    await gitOk(dirname(dir), ["clone", "--quiet", memoryUrl(d, agent, token), dir]);
    return dir;
}

/** Writes files (relative path → text or bytes) into a work tree. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
    for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
    }
}

/** Stages everything, commits, pushes; returns git's answer. */
export async function commitAndPush(dir: string, message: string): Promise<GitResult> {
    await gitOk(dir, ["add", "-A"]);
    await gitOk(dir, ["commit", "--quiet", "-m", message]);
    return gitCli(dir, ["push", "origin", "main"]);
}

/** The `remote:` lines git printed, without the prefix and git's padding. */
export function remoteLines(stderr: string): string[] {
    return stderr
        .split("\n")
        .filter((l) => l.startsWith("remote: "))
        .map((l) => l.slice("remote: ".length).trimEnd());
}

/** `author <email> subject` of each commit on main, newest first. */
export async function gitLog(dir: string): Promise<string[]> {
    return (await gitOk(dir, ["log", "--format=%an <%ae> %s", "main"])).trim().split("\n");
}

/** Config with memory agents on the fake: `assistant` (anthropic), `gpt` (openai), and `plain` without memory. */
export function memoryConfig(fake: FakeLlm, system = "You are a helpful assistant living in the user's notes."): Record<string, unknown> {
    // The vault tools (on by default) are tested in vault-tools.test.ts; here the tool lists are memory's own.
    const common = { api_key_env: "LODGE_TEST_KEY", system, vault_tools: "off" };
    return {
        default_agent: "assistant",
        agents: {
            assistant: { backend: "anthropic", model: "claude-test", base_url: fake.url, memory: true, ...common },
            gpt: { backend: "openai", model: "gpt-test", base_url: fake.openaiUrl, memory: true, ...common },
            plain: { backend: "anthropic", model: "claude-test", base_url: fake.url, memory: false, ...common },
        },
    };
}
