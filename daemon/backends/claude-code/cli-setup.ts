/**
 * Everything a CLI run needs that follows from the agent's settings (docs/claude-code.md): which program, which
 * working directory, which environment and which arguments. Problems a person can fix are
 * BackendFailures with a sentence saying what to do, never a stack trace.
 */
import { realpath, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { findOnPath } from "../../agent-detect";
import type { AgentConfig } from "../../config";
import { BackendFailure, type TurnInput } from "../types";

const INSTALL_HINT = "install Claude Code (npm i -g @anthropic-ai/claude-code) or set claude_path";

/** Linux refuses a single argument over 128 KiB; a longer system prompt goes through a file. */
const MAX_INLINE_SYSTEM_BYTES = 64 * 1024;

/** MCP servers for one turn (docs/mcp.md): the `--mcp-config` object, the tools it allows, and the end of the turn. */
export interface TurnMcp {
    config: { mcpServers: Record<string, unknown> };
    allowedTools: string[];
    done(): Promise<void>;
}

export interface CliSetup {
    path: string;
    /** The real path of the working directory: the CLI files its sessions under it. */
    cwd: string;
    env: NodeJS.ProcessEnv;
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
    return p === "~" || p.startsWith("~/") ? join(env.HOME || homedir(), p.slice(1)) : p;
}

export async function resolveSetup(agent: AgentConfig, daemonEnv: NodeJS.ProcessEnv, vault: string): Promise<CliSetup> {
    // The daemon's environment with the agent's `env` on top: the person's HOME and login unless overridden.
    const env = { ...daemonEnv, ...agent.env };
    const path = agent.claude_path ? resolve(expandHome(agent.claude_path, env)) : findOnPath("claude", env.PATH ?? "");
    if (!path) throw new BackendFailure("backend_error", `the Claude Code CLI is not on PATH: ${INSTALL_HINT}`);
    const wanted = agent.cwd ? expandHome(agent.cwd, env) : vault;
    const dir = isAbsolute(wanted) ? wanted : resolve(vault, wanted);
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory())
        throw new BackendFailure("backend_error", `agent "${agent.name}": its working folder ${dir} does not exist: check cwd`);
    return { path, cwd: await realpath(dir), env };
}

/** Why spawning failed, said for a person. */
export function spawnFailure(path: string, err: NodeJS.ErrnoException): BackendFailure {
    if (err.code === "ENOENT") return new BackendFailure("backend_error", `the Claude Code CLI was not found at ${path}: ${INSTALL_HINT}`);
    if (err.code === "EACCES")
        return new BackendFailure("backend_error", `the Claude Code CLI at ${path} is not executable: check claude_path`);
    return new BackendFailure("backend_error", `the Claude Code CLI at ${path} could not be started (${err.code ?? err.message})`);
}

/** Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN); a longer prompt goes on stdin. */
export const MAX_ARG_PROMPT_BYTES = 100_000;

/**
 * The arguments of one turn. `session` is `--session-id <uuid>` or `--resume <file>`. The prompt is
 * the last argument, after `--` so a prompt starting with "-" is never read as an option (docs/claude-code.md:
 * stdin closed); only a prompt too long for one argument is left out, for stdin.
 */
export async function cliArgs(
    input: TurnInput,
    session: string[],
    scratchDir: string,
    prompt: string,
    mcp: TurnMcp | null = null,
): Promise<string[]> {
    const { agent } = input;
    const args = ["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages"];
    if (input.model) args.push("--model", input.model);
    if (agent.permission_mode) args.push("--permission-mode", agent.permission_mode);
    // The option is variadic: the next option ends the list, so it never swallows what follows.
    const allowed = [...(agent.allowed_tools ?? []), ...(mcp?.allowedTools ?? [])];
    if (allowed.length > 0) args.push("--allowedTools", ...allowed);
    if (mcp) {
        // A file (0600, in the turn's own folder), not an argument: the config carries the turn's token,
        // and arguments are visible to every user of the machine.
        const file = join(scratchDir, "mcp-config.json");
        await writeFile(file, JSON.stringify(mcp.config), { mode: 0o600 });
        args.push("--mcp-config", file);
    }
    if (input.system.trim() !== "") {
        if (Buffer.byteLength(input.system) <= MAX_INLINE_SYSTEM_BYTES) args.push("--append-system-prompt", input.system);
        else {
            const file = join(scratchDir, "system-prompt.md");
            await writeFile(file, input.system, { mode: 0o600 });
            args.push("--append-system-prompt-file", file);
        }
    }
    args.push(...session);
    if (Buffer.byteLength(prompt) <= MAX_ARG_PROMPT_BYTES) args.push("--", prompt);
    return args;
}
