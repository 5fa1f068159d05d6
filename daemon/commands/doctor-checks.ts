/**
 * The checks behind `lodge doctor` that reach outside the process: an agent's backend (a cheap
 * request to an API, or `claude auth status` for Claude Code) and the port.
 */
import { execFile } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { access } from "node:fs/promises";
import { homedir } from "node:os";
import { findOnPath } from "../agent-detect";
import type { AgentConfig } from "../config";
import { type DaemonInfo, lodgeAnswers, portFree, portHolder, portInUse, portOf } from "../host-checks";

const INSTALL = "install Claude Code (npm i -g @anthropic-ai/claude-code) or set claude_path";
const LOGIN = "run `claude` once and log in with /login, or set ANTHROPIC_API_KEY in the daemon's environment";

function runCli(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(path, args, { env, timeout: 15_000 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/**
 * Claude Code: the program runs, and it is logged in. `claude auth status` reads the local login
 * (OAuth credentials, an API key or token in the environment) in about a second and prints JSON.
 */
async function checkClaudeCode(agent: AgentConfig): Promise<string> {
    // The environment the daemon gives the CLI: its own, with the agent's `env` on top.
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...agent.env,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
    };
    const path = agent.claude_path?.replace(/^~(?=\/|$)/, env.HOME || homedir()) ?? findOnPath("claude", env.PATH ?? "");
    if (!path) throw new Error(`no \`claude\` on PATH: ${INSTALL}`);
    if (!existsSync(path)) throw new Error(`the Claude Code CLI was not found at ${path}: ${INSTALL}`);
    try {
        await access(path, constants.X_OK);
    } catch {
        throw new Error(`${path} is not executable: check claude_path`);
    }
    const version = await runCli(path, ["--version"], env);
    if (version.code !== 0)
        throw new Error(
            `${path} does not run (\`claude --version\` failed: ${firstLine(version.stderr || version.stdout)}): reinstall Claude Code`,
        );
    const status = await runCli(path, ["auth", "status", "--json"], env);
    let auth: { loggedIn?: unknown; authMethod?: unknown } | null = null;
    try {
        auth = JSON.parse(status.stdout) as { loggedIn?: unknown; authMethod?: unknown };
    } catch {
        auth = null;
    }
    if (!auth || typeof auth.loggedIn !== "boolean") {
        throw new Error(
            `cannot tell whether Claude Code at ${path} is logged in (\`claude auth status\` said: ${firstLine(status.stderr || status.stdout) || "nothing"}): update Claude Code`,
        );
    }
    if (!auth.loggedIn) throw new Error(`Claude Code at ${path} is not logged in: ${LOGIN}`);
    return `${path}: ${version.stdout.trim()}, logged in${typeof auth.authMethod === "string" ? ` (${auth.authMethod})` : ""}`;
}

function firstLine(text: string): string {
    return text.trim().split("\n")[0] ?? "";
}

export async function checkAgent(agent: AgentConfig): Promise<string> {
    if (agent.backend === "claude-code") return checkClaudeCode(agent);
    const keyName = agent.api_key_env ?? (agent.backend === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
    const key = process.env[keyName];
    if (!key && !agent.base_url) throw new Error(`${keyName} is not set in this environment`);
    const base = agent.base_url ?? (agent.backend === "anthropic" ? "https://api.anthropic.com" : "https://api.openai.com/v1");
    const url = agent.backend === "anthropic" ? `${base.replace(/\/$/, "")}/v1/models` : `${base.replace(/\/$/, "")}/models`;
    const headers: Record<string, string> =
        agent.backend === "anthropic"
            ? { "x-api-key": key ?? "", "anthropic-version": "2023-06-01" }
            : { authorization: `Bearer ${key ?? "not-needed"}` };
    let res: Response;
    try {
        res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    } catch {
        throw new Error(`${base} cannot be reached: check base_url and that the server runs`);
    }
    if (res.status === 401 || res.status === 403) throw new Error(`${base} refused the key in ${keyName} (HTTP ${res.status})`);
    if (res.status >= 500) throw new Error(`${base} answered HTTP ${res.status}`);
    return `${base} answers`;
}

/**
 * The port: the daemon of this data folder (daemon.json) is ours, not "another program". With
 * `--url`, that daemon must answer; otherwise the port must be free or held by our daemon.
 */
export async function checkPort(o: { port?: number; url?: string; own: DaemonInfo | null }): Promise<string> {
    if (o.url) {
        if (await lodgeAnswers(o.url))
            return `a daemon answers at ${o.url}${o.own && sameOrigin(o.own.url, o.url) ? ` (this data folder's, pid ${o.own.pid})` : ""}`;
        throw new Error(`no Lodge daemon answers at ${o.url}: start one with \`lodge start\`, or check --url`);
    }
    if (o.own && (o.port === undefined || portOf(o.own.url) === o.port) && (await lodgeAnswers(o.own.url))) {
        return `a daemon answers at ${o.own.url} (this data folder's, pid ${o.own.pid})`;
    }
    const port = o.port ?? 8765;
    if (await portFree("127.0.0.1", port)) return `port ${port} is free`;
    throw new Error(portInUse(port, await portHolder("127.0.0.1", port, o.own)));
}

function sameOrigin(a: string, b: string): boolean {
    try {
        return new URL(a).origin === new URL(b).origin;
    } catch {
        return false;
    }
}
