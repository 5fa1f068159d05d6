/**
 * What `lodge start` checks and says around the wiring (docs/daemon.md): the refusals a person can fix,
 * the keys blanked from every log, the plugin token, and the start-up lines of docs/cli.md.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { howToAddAgent } from "./agent-detect";
import type { LodgeConfig } from "./config";
import { GIT_MISSING } from "./host-checks";
import { addSecret } from "./log";
import { deprecatedModels } from "./model-check";
import { keyEnvOf } from "./services/agent-readiness";
import type { TokenService } from "./services/tokens";
import { VERSION } from "./version";

/** A start-up failure a person can fix; the CLI prints its message alone. */
export class StartError extends Error {}

/** docs/daemon.md's refusal, naming the daemon that holds the lock as its daemon.json says. */
export async function lockHolder(daemonInfo: string, data: string): Promise<string> {
    const info = await readFile(daemonInfo, "utf8").then(
        (t) => JSON.parse(t) as { pid?: unknown; url?: unknown },
        () => null,
    );
    const pid = typeof info?.pid === "number" ? String(info.pid) : "unknown";
    const url = typeof info?.url === "string" ? info.url : "still starting";
    return `another Lodge daemon (pid ${pid}, ${url}) is using ${data}`;
}

/**
 * A daemon reachable from other machines (a phone, docs/daemon.md) must know the names they reach it by:
 * without `http.allowed_hosts` every request from them would fail the Host check anyway, and a
 * person who binds widely by mistake should hear so before anything listens.
 */
export function refuseOpenBind(host: string, allowedHosts: string[], configFile: string): void {
    const loopback = host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
    if (loopback || allowedHosts.length > 0) return;
    throw new StartError(
        `--host ${host} lets other machines reach the daemon, but no http.allowed_hosts is configured: add the names they use ` +
            `(e.g. allowed_hosts: ["my-desktop.tailnet.ts.net", "192.168.1.20"]) under http: in ${configFile}, and give each device ` +
            'its own token (lodge token create phone). See the README\'s "Ask from your phone".',
    );
}

/** Every key an agent uses is blanked from logs, answers, callouts and stored error text. */
export function registerSecrets(config: LodgeConfig, env: NodeJS.ProcessEnv): void {
    for (const agent of Object.values(config.agents)) {
        addSecret(env[keyEnvOf(agent) ?? ""]);
        // MCP servers' env and headers carry keys: never in the log (docs/mcp.md).
        for (const s of Object.values(agent.mcp_servers ?? {}))
            for (const v of Object.values(("env" in s ? s.env : "headers" in s ? s.headers : undefined) ?? {})) addSecret(v);
    }
}

export function hostName(host: string): string {
    return host.includes(":") ? `[${host}]` : host;
}

/** The token the plugin uses: created on first start, kept in `<data>/plugin-token` (0600). */
export async function ensurePluginToken(tokens: TokenService, file: string): Promise<string> {
    const existing = (await readFile(file, "utf8").catch(() => "")).trim();
    if (existing && (await tokens.verify(existing))) return existing;
    const token = await tokens.create("obsidian", ["messages"], true);
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return token;
}

export interface StartFacts {
    url: string;
    vault: string;
    created: boolean;
    data: string;
    configFile: string;
    config: LodgeConfig;
    git: string | null;
    watching: string | null;
    /** The token itself with --print-token, else null (the lines say where it is). */
    printedToken: string | null;
    tokenFile: string;
}

/** docs/cli.md ("lodge start"): one line per fact a person needs, on standard output. */
export function startupLines(f: StartFacts): string[] {
    const agents = Object.values(f.config.agents);
    return [
        `lodge ${VERSION} listening on ${f.url}`,
        `vault: ${f.vault}${f.created ? " (created, with a welcome chat note)" : ""}`,
        `data: ${f.data}`,
        f.config.file ? `config: ${f.config.file}` : `config: none at ${f.configFile}; agents were auto-detected`,
        ...(agents.length === 0 ? [howToAddAgent(f.configFile)] : []),
        ...agents.map(
            (a) =>
                `agent: ${a.name} (${a.backend}${a.model ? `, ${a.model}` : ""})${a.name === f.config.default_agent ? " [default]" : ""}`,
        ),
        ...deprecatedModels(agents).map((d) => `warning: agent ${d.agent}: ${d.message}`),
        ...(f.git ? [] : [`warning: ${GIT_MISSING}`]),
        ...(f.watching ? [f.watching] : []),
        f.printedToken ? `plugin token: ${f.printedToken}` : `plugin token: in ${f.tokenFile}`,
    ];
}
