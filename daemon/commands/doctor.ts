/**
 * `lodge doctor`: checks what a working daemon needs and says, per problem, what to do. Exit 0 only
 * when all is well.
 */
import { execFile } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { findOnPath } from "../agent-detect";
import { type AgentConfig, ConfigError } from "../config";
import { dataFiles, defaultDataDir } from "../paths";
import { Db } from "../store/db";
import { effectiveConfig } from "./agents";

const run = promisify(execFile);

interface Check {
    name: string;
    ok: boolean;
    detail: string;
}

export async function doctorCommand(o: { data?: string; config?: string; out: (line: string) => void }): Promise<boolean> {
    const data = resolve(o.data ?? defaultDataDir());
    const files = dataFiles(data);
    const checks: Check[] = [];
    const check = async (name: string, fn: () => Promise<string>): Promise<void> => {
        try {
            checks.push({ name, ok: true, detail: await fn() });
        } catch (err) {
            checks.push({ name, ok: false, detail: err instanceof Error ? err.message : String(err) });
        }
    };
    await check("git", async () => (await run("git", ["--version"], { timeout: 5000 })).stdout.trim());
    await check("data folder", async () => {
        if (!existsSync(data)) return `${data} does not exist yet; \`lodge start\` creates it`;
        await access(data, constants.W_OK);
        return `${data} is writable`;
    });
    await check("database", async () => {
        if (!existsSync(files.database)) return "not created yet";
        const db = await Db.open(files.database);
        try {
            const result = await db.integrityCheck();
            if (result !== "ok") throw new Error(`PRAGMA integrity_check says "${result}": move ${files.database} aside and start again`);
            return "integrity_check ok";
        } finally {
            await db.close();
        }
    });
    let agents: AgentConfig[] = [];
    await check("config", async () => {
        try {
            const { config, configFile } = await effectiveConfig(o);
            agents = Object.values(config.agents);
            if (agents.length === 0) throw new Error(`no agents: add one to ${configFile} or set ANTHROPIC_API_KEY`);
            return config.file ? `${config.file}: ${agents.length} agent(s)` : `no file; ${agents.length} agent(s) auto-detected`;
        } catch (err) {
            if (err instanceof ConfigError) throw new Error(err.problems.join("; "));
            throw err;
        }
    });
    for (const agent of agents) await check(`agent ${agent.name}`, () => checkAgent(agent));
    await check("port", () => checkPort(files.daemonInfo));
    for (const c of checks) o.out(`${c.ok ? "ok     " : "PROBLEM"} ${c.name}: ${c.detail}`);
    const ok = checks.every((c) => c.ok);
    o.out(ok ? "all is well" : `${checks.filter((c) => !c.ok).length} problem(s) to fix`);
    return ok;
}

async function checkAgent(agent: AgentConfig): Promise<string> {
    if (agent.backend === "claude-code") {
        // `~/` in claude_path is the home folder, as the daemon reads it.
        const path = agent.claude_path?.replace(/^~(?=\/|$)/, homedir()) ?? findOnPath("claude");
        if (!path) throw new Error("no `claude` on PATH: install Claude Code (npm i -g @anthropic-ai/claude-code) or set claude_path");
        if (!existsSync(path)) throw new Error(`the Claude Code CLI was not found at ${path}: install Claude Code (npm i -g @anthropic-ai/claude-code) or fix claude_path`);
        try {
            await access(path, constants.X_OK);
        } catch {
            throw new Error(`${path} is not executable: check claude_path`);
        }
        const { stdout } = await run(path, ["--version"], { timeout: 10_000 });
        return `${path}: ${stdout.trim()}`;
    }
    const keyName = agent.api_key_env ?? (agent.backend === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
    const key = process.env[keyName];
    if (!key && !agent.base_url) throw new Error(`${keyName} is not set in this environment`);
    const base = agent.base_url ?? (agent.backend === "anthropic" ? "https://api.anthropic.com" : "https://api.openai.com/v1");
    const url = agent.backend === "anthropic" ? `${base.replace(/\/$/, "")}/v1/models` : `${base.replace(/\/$/, "")}/models`;
    const headers: Record<string, string> = agent.backend === "anthropic"
        ? { "x-api-key": key ?? "", "anthropic-version": "2023-06-01" }
        : { authorization: `Bearer ${key ?? "not-needed"}` };
    let res: Response;
    try {
        res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    } catch (err) {
        throw new Error(`${base} cannot be reached (${(err as Error).message}): check base_url and that the server runs`);
    }
    if (res.status === 401 || res.status === 403) throw new Error(`${base} refused the key in ${keyName} (HTTP ${res.status})`);
    if (res.status >= 500) throw new Error(`${base} answered HTTP ${res.status}`);
    return `${base} answers`;
}

async function checkPort(daemonInfo: string): Promise<string> {
    const info = existsSync(daemonInfo) ? (JSON.parse(await readFile(daemonInfo, "utf8")) as { url?: string }) : null;
    if (info?.url) {
        const res = await fetch(`${info.url}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
        if (res?.ok) return `a daemon answers at ${info.url}`;
    }
    await new Promise<void>((resolveListen, reject) => {
        const server = createServer();
        server.once("error", () => reject(new Error("port 8765 on 127.0.0.1 is taken by another program: start with --port")));
        server.listen(8765, "127.0.0.1", () => server.close(() => resolveListen()));
    });
    return "port 8765 is free";
}
