/**
 * `lodge doctor`: checks what a working daemon needs and says, per problem, what to do. Exit 0 only
 * when all is well (warnings, such as a deprecated model, do not fail it). `--json` prints the same
 * checks as one JSON object (docs/daemon.md names its keys).
 */
import { constants, existsSync } from "node:fs";
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { howToAddAgent } from "../agent-detect";
import { type AgentConfig, ConfigError } from "../config";
import { GIT_MISSING, gitVersion, runningDaemon } from "../host-checks";
import { deprecatedModels } from "../model-check";
import { dataFiles, defaultDataDir } from "../paths";
import { DaemonLock } from "../store/daemon-lock";
import { Db } from "../store/db";
import { colours, plural } from "../words";
import { effectiveConfig } from "./agents";
import { McpConnection } from "../mcp/client";
import { checkAgent, checkPort } from "./doctor-checks";

export type CheckStatus = "ok" | "warning" | "problem";

export interface Check {
    name: string;
    status: CheckStatus;
    detail: string;
}

export interface DoctorOptions {
    data?: string;
    config?: string;
    port?: number;
    url?: string;
    json?: boolean;
    out: (line: string) => void;
    /** Where the lines go, for colours: only a terminal gets them. */
    tty?: boolean;
}

export async function doctorCommand(o: DoctorOptions): Promise<boolean> {
    const data = resolve(o.data ?? defaultDataDir());
    const files = dataFiles(data);
    const checks: Check[] = [];
    const check = async (name: string, fn: () => Promise<string>): Promise<void> => {
        try {
            checks.push({ name, status: "ok", detail: await fn() });
        } catch (err) {
            checks.push({ name, status: "problem", detail: err instanceof Error ? err.message : String(err) });
        }
    };
    await check("git", async () => {
        const version = await gitVersion();
        if (!version) throw new Error(GIT_MISSING);
        return version;
    });
    await check("data folder", async () => {
        if (!existsSync(data)) return `${data} does not exist yet; \`lodge start\` creates it`;
        await access(data, constants.W_OK);
        return `${data} is writable`;
    });
    // docs/daemon.md: the daemon holding the data folder's lock, found by trying to take it for a moment.
    await check("daemon", async () => {
        if (!existsSync(data)) return "none running";
        const lock = await DaemonLock.take(files.lock);
        if (lock) {
            await lock.release();
            return "none running on this data folder";
        }
        const info = await runningDaemon(files.daemonInfo);
        return info
            ? `pid ${info.pid} at ${info.url} holds ${files.lock}`
            : `a daemon that has not written ${files.daemonInfo} yet (still starting) holds ${files.lock}`;
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
            if (agents.length === 0) throw new Error(howToAddAgent(configFile));
            return config.file
                ? `${config.file}: ${plural(agents.length, "agent")}`
                : `no file; ${plural(agents.length, "agent")} auto-detected`;
        } catch (err) {
            if (err instanceof ConfigError) throw new Error(err.problems.join("; "));
            throw err;
        }
    });
    for (const agent of agents) {
        await check(`agent ${agent.name}`, () => checkAgent(agent));
        for (const d of deprecatedModels([agent])) checks.push({ name: `agent ${d.agent}`, status: "warning", detail: d.message });
        // docs/mcp.md: each MCP server is started, asked for its tools, and stopped.
        for (const [name, server] of Object.entries(agent.mcp_servers ?? {})) {
            await check(`agent ${agent.name}: MCP server ${name}`, async () => {
                const connection = new McpConnection(name, server, {
                    env: process.env,
                    vault: process.cwd(),
                    timeoutMs: agent.tool_timeout_ms,
                });
                try {
                    const tools = await connection.listTools();
                    return `${plural(tools.length, "tool")}: ${tools.map((t) => `${name}__${t.name}`).join(", ")}`;
                } catch (err) {
                    throw new Error(
                        `does not start or list its tools: ${err instanceof Error ? err.message : String(err)}; check its command (or url) in the config`,
                    );
                } finally {
                    await connection.close();
                }
            });
        }
    }
    await check("port", async () => checkPort({ port: o.port, url: o.url, own: await runningDaemon(files.daemonInfo) }));

    const problems = checks.filter((c) => c.status === "problem").length;
    if (o.json) {
        o.out(JSON.stringify({ ok: problems === 0, problems, checks }, null, 2));
        return problems === 0;
    }
    const paint = colours({ isTTY: o.tty });
    const label: Record<CheckStatus, string> = {
        ok: paint.green("ok     "),
        warning: paint.yellow("warning"),
        problem: paint.red("PROBLEM"),
    };
    for (const c of checks) o.out(`${label[c.status]} ${c.name}: ${c.detail}`);
    o.out(problems === 0 ? "all is well" : `${plural(problems, "problem")} to fix`);
    return problems === 0;
}
