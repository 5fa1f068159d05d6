/**
 * Wiring only: config → store → services → app → listen, and the ordered shutdown (docs/daemon.md, "Shutdown").
 */
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { readFrontmatter } from "../shared/note/frontmatter";
import { detectAgents, howToAddAgent } from "./agent-detect";
import { claudeCodeBackends } from "./backends/claude-code/backend";
import type { RetryPolicy } from "./backends/retry";
import { ConfigError, type LodgeConfig, loadConfigFile } from "./config";
import { addSecret, createLogger, type Logger, routeConsoleWarnings } from "./log";
import { dataFiles } from "./paths";
import { AgentRegistry } from "./services/agents";
import { keyEnvOf } from "./services/agent-readiness";
import { ConversationQueryService } from "./services/conversation-query";
import { ConfigService } from "./services/config-service";
import { EventHub } from "./services/event-hub";
import { OpenNotes } from "./services/open-notes";
import { ConversationService } from "./services/conversations";
import { TokenService } from "./services/tokens";
import { TurnService } from "./services/turn-service";
import { ConversationSearchStore } from "./store/conversation-search";
import { ConversationStore } from "./store/conversations";
import { DaemonLock } from "./store/daemon-lock";
import { Db } from "./store/db";
import { AuditStore, TokenStore } from "./store/tokens";
import { TranscriptStore } from "./store/transcripts";
import { UsageStore } from "./store/usage";
import { withContext } from "./context/context-step";
import { createApp } from "./http/app";
import { configRoutes } from "./http/routes/config";
import { eventRoutes } from "./http/routes/events";
import { conversationRoutes } from "./http/routes/conversations";
import { gitRoutes } from "./http/routes/git";
import { mcpRoutes } from "./http/routes/mcp";
import { claudeCodeMcp } from "./mcp/claude-code-access";
import { agentTools } from "./mcp/agent-tools";
import { McpClients, withMcpTools } from "./mcp/client-tools";
import { LodgeMcpServer } from "./mcp/server";
import { TurnTokens } from "./mcp/turn-token";
import { frontendRoutes } from "./http/routes/frontends";
import { openAiRoutes } from "./http/routes/openai";
import { FrontendTurns } from "./frontends/frontend-turns";
import { OpenAiApi } from "./frontends/openai-api";
import { FrontendConversationStore } from "./store/frontend-conversations";
import { MemoryService } from "./memory/memory-service";
import { BlockStore } from "./store/blocks";
import { ChatNoteStore } from "./store/chat-notes";
import { RecordingVault } from "./watch/own-writes";
import { Vault } from "./vault/vault";
import { SeenMarker } from "./watch/missed-changes";
import { NoteWatcher } from "./watch/watcher";
import { Visibility } from "./vault/visibility";
import { VaultIndex } from "./vault-index/vault-index";
import { VaultNoteStore } from "./store/vault-notes";
import { vaultToolBox, withVaultTools } from "./tools/vault-tools";
import { VERSION } from "./version";
import { ensureVault } from "./welcome";
import { GIT_MISSING, gitVersion, portHolder, portInUse, runningDaemon } from "./host-checks";
import { deprecatedModels } from "./model-check";
import { plural } from "./words";

export interface DaemonOptions {
    vault: string;
    data: string;
    host: string;
    port: number;
    configFile: string;
    /** The person named the config file (--config): a missing file is then an error, not auto-detection. */
    configExplicit?: boolean;
    printToken?: boolean;
    env?: NodeJS.ProcessEnv;
    /** Start-up lines a person reads (stdout for the CLI). */
    say?: (line: string) => void;
    log?: Logger;
    retry?: RetryPolicy;
    /** How long running turns may finish at shutdown before they are stopped (default 4 s, so the exit is within 5 s). */
    shutdownGraceMs?: number;
}

export interface RunningDaemon {
    url: string;
    port: number;
    config: LodgeConfig;
    db: Db;
    close(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
    const data = resolve(options.data);
    const files = dataFiles(data);
    await mkdir(data, { recursive: true, mode: 0o700 });
    // Before anything else touches the data folder: one daemon per data folder (docs/daemon.md).
    const lock = await DaemonLock.take(files.lock);
    if (!lock) throw new StartError(await lockHolder(files.daemonInfo, data));
    try {
        return await startLocked(options, data, lock);
    } catch (err) {
        await lock.release();
        throw err;
    }
}

/** docs/daemon.md's refusal, naming the daemon that holds the lock as its daemon.json says. */
async function lockHolder(daemonInfo: string, data: string): Promise<string> {
    const info = await readFile(daemonInfo, "utf8").then((t) => JSON.parse(t) as { pid?: unknown; url?: unknown }, () => null);
    const pid = typeof info?.pid === "number" ? String(info.pid) : "unknown";
    const url = typeof info?.url === "string" ? info.url : "still starting";
    return `another Lodge daemon (pid ${pid}, ${url}) is using ${data}`;
}

async function startLocked(options: DaemonOptions, data: string, lock: DaemonLock): Promise<RunningDaemon> {
    const env = options.env ?? process.env;
    const say = options.say ?? ((line: string) => void process.stdout.write(`${line}\n`));
    const log = options.log ?? createLogger();
    routeConsoleWarnings(log);
    const files = dataFiles(data);

    const loaded = loadConfigFile(options.configFile);
    if (!loaded && options.configExplicit) throw new ConfigError([`${options.configFile}: no such file`]);
    const config = loaded ?? (await detectAgents(env));
    refuseOpenBind(options.host, config.http.allowed_hosts, options.configFile);
    const git = gitVersion(env);
    // Every key an agent uses is blanked from logs, answers, callouts and stored error text.
    for (const agent of Object.values(config.agents)) {
        addSecret(env[keyEnvOf(agent) ?? ""]);
        // MCP servers' env and headers carry keys: never in the log (docs/mcp.md).
        for (const s of Object.values(agent.mcp_servers ?? {})) for (const v of Object.values(("env" in s ? s.env : "headers" in s ? s.headers : undefined) ?? {})) addSecret(v);
    }
    const vaultDir = resolve(options.vault);
    const created = await ensureVault(vaultDir, config.chats.folders[0] ?? "Chats");
    // With chats.watch the vault remembers the daemon's own writes, so the watcher never answers them.
    const vault = config.chats.watch ? new RecordingVault(vaultDir) : new Vault(vaultDir);
    const stale = await vault.removeStaleTempFiles();
    if (stale > 0) log.info(`removed ${plural(stale, "stale temporary file")} from the vault`);

    const db = await Db.open(files.database);
    const conversationStore = new ConversationStore(db);
    const empty = await conversationStore.removeEmpty();
    if (empty > 0) log.info(`removed ${empty} conversation(s) without messages, left by an interrupted turn`);
    const tokens = new TokenService(new TokenStore(db));
    const turnTokens = new TurnTokens(tokens);
    const swept = await turnTokens.sweep();
    if (swept > 0) log.info(`revoked ${plural(swept, "Claude Code turn token")} left by a daemon that stopped mid-turn`);
    const audit = new AuditStore(db);
    const conversations = new ConversationService(conversationStore, async (notePath, id) => {
        try {
            const text = await vault.read(await vault.resolve(notePath));
            return text !== null && readFrontmatter(text)?.data.conversation_id === id;
        } catch {
            return false;
        }
    });
    const events = new EventHub();
    // Bound late: Lodge's MCP server and the daemon's URL exist further down.
    const claudeCode = claudeCodeBackends({ store: new TranscriptStore(db), data, vault: vaultDir, env, log, mcp: (input) => claudeMcp(input) });
    const agents = new AgentRegistry(config, { env, retry: options.retry, extra: { "claude-code": claudeCode } }, options.configFile);
    const memory = new MemoryService({ dir: files.memory, agents: config.agents, store: new BlockStore(db), log, maxBodyBytes: config.http.max_body_mb * 1024 * 1024,
        onPush: () => void configs.recheck((etag) => events.publish({ event: "config", data: { etag } })) });
    const maxBytes = config.http.max_body_mb * 1024 * 1024;
    const visibility = new Visibility(config.context.exclude);
    const index = new VaultIndex({ root: vault.root, store: new VaultNoteStore(db), visibility, maxBytes, log });
    const vaultContext = { vault, index, visibility, maxBytes };
    const mcpClients = new McpClients({ env, vault: vaultDir, log });
    const vaultTools = vaultToolBox(vaultContext, log);
    const usageStore = new UsageStore(db);
    const turns = new TurnService({
        vault,
        agents,
        conversations,
        prepare: withContext(withMcpTools(withVaultTools((agent, base, context) => memory.prepareTurn(agent, base, context), vaultTools), mcpClients), {
            root: vault.root, visibility, linkChars: config.context.link_chars, maxBytes, log,
        }),
        usage: (conversationId, usage) => usageStore.add(conversationId, usage),
        audit: (e) => audit.add({ ...e, action: "turn" }),
        progressMs: config.chats.progress_ms,
        log,
    });
    const openNotes = new OpenNotes();
    const watcher = vault instanceof RecordingVault
        ? await NoteWatcher.start({ vault, folders: config.chats.folders, idleMs: config.chats.watch_idle_ms, turns, knownNotes: () => new ChatNoteStore(db).notePaths(), maxBytes: config.http.max_body_mb * 1024 * 1024, log,
            openInEditor: (rel) => openNotes.isOpen(rel), seen: new SeenMarker(files.watchSeen), trace: env.LODGE_DEBUG ? (line) => log.info(line) : undefined })
        : null;
    const pluginToken = await ensurePluginToken(tokens, files.pluginToken);

    let port = options.port;
    let url = "";
    // A daemon bound to a specific address also answers requests that name that address.
    const wildcard = ["0.0.0.0", "::", ""].includes(options.host);
    const ownName = !wildcard && !["127.0.0.1", "localhost", "::1"].includes(options.host);
    const http = { ...config.http, allowed_hosts: ownName ? [...config.http.allowed_hosts, hostName(options.host)] : config.http.allowed_hosts };
    const queries = new ConversationQueryService({
        search: new ConversationSearchStore(db),
        conversations: conversations.store,
        transcripts: new TranscriptStore(db),
        usage: usageStore,
        readNote: (notePath) => vault.resolve(notePath).then((note) => vault.read(note)).catch(() => null),
        skills: (agent) => memory.skills(agent),
    });
    const mcpServer = new LodgeMcpServer({ agents: config.agents, memory, vault: vaultContext, queries, log });
    const claudeMcp = claudeCodeMcp({ url: () => url, server: mcpServer, turnTokens });
    const configs = new ConfigService({ agents, skills: (agent) => memory.skills(agent), version: VERSION });
    await configs.recheck(() => undefined);
    turns.observe((turn, run) => events.watchTurn(turn, run));
    // docs/frontends.md: the other frontends run their turns on log notes through the same TurnService.
    const frontends = new FrontendTurns({ turns, agents, conversations, vault, logFolder: config.chats.log_folder, log });
    const openai = new OpenAiApi({ frontends, agents, conversations, logged: new FrontendConversationStore(db), logFolder: config.chats.log_folder });
    const app = createApp({
        turns, agents, tokens, log, http, port: () => port, agentTools: agentTools({ server: mcpServer, clients: mcpClients }),
        extraRoutes: [(router) => gitRoutes(router, { memory, tokens }), (router) => conversationRoutes(router, { queries, tokens }),
            (router) => configRoutes(router, { config: configs, tokens }), (router) => eventRoutes(router, { events, tokens, openNotes, vault, maxBodyBytes: maxBytes }),
            (router) => mcpRoutes(router, { mcp: mcpServer, tokens, turnTokens, agents: config.agents, maxBodyBytes: maxBytes }),
            (router) => openAiRoutes(router, { api: openai, tokens, maxBodyBytes: maxBytes }), (router) => frontendRoutes(router, { frontends, tokens, maxBodyBytes: maxBytes })],
    });
    const server: Server = createServer(app.callback() as (req: IncomingMessage, res: ServerResponse) => void);
    try {
        await new Promise<void>((resolveListen, reject) => {
            server.once("error", reject);
            server.listen(options.port, options.host, () => resolveListen());
        });
    } catch (err) {
        await watcher?.close();
        await memory.close();
        await db.close();
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
        throw new StartError(portInUse(options.port, await portHolder(options.host, options.port, await runningDaemon(files.daemonInfo))));
    }
    port = (server.address() as AddressInfo).port;
    // A wildcard bind is reached on loopback; its own address would fail the Host check.
    url = `http://${wildcard ? "127.0.0.1" : hostName(options.host)}:${port}`;
    await writeFile(files.daemonInfo, `${JSON.stringify({ url, pid: process.pid, version: VERSION })}\n`);

    say(`lodge ${VERSION} listening on ${url}`);
    say(`vault: ${vaultDir}${created ? " (created, with a welcome chat note)" : ""}`);
    say(`data: ${data}`);
    say(config.file ? `config: ${config.file}` : `config: none at ${options.configFile}; agents were auto-detected`);
    const names = Object.values(config.agents);
    if (names.length === 0) say(howToAddAgent(options.configFile));
    for (const a of names) say(`agent: ${a.name} (${a.backend}${a.model ? `, ${a.model}` : ""})${a.name === config.default_agent ? " [default]" : ""}`);
    for (const d of deprecatedModels(names)) say(`warning: agent ${d.agent}: ${d.message}`);
    if (!(await git)) say(`warning: ${GIT_MISSING}`);
    if (watcher) say(watcher.describe());
    say(options.printToken ? `plugin token: ${pluginToken}` : `plugin token: in ${files.pluginToken}`);
    // After the start-up lines: the index builds in the background and never delays readiness.
    void index.start();

    let closing: Promise<void> | null = null;
    const close = (): Promise<void> =>
        (closing ??= (async () => {
            await watcher?.close();
            await index.close();
            const stopped = new Promise<void>((r) => server.close(() => r()));
            // Turns get 4 s to finish; then they are stopped and write what arrived, so the whole
            // shutdown stays within SPEC's 5 s (docs/daemon.md, "Shutdown").
            await turns.shutdown(options.shutdownGraceMs ?? 4000);
            await mcpClients.close();
            // Streams end with their terminal event still in flight: let them drain, closing each
            // connection as it goes idle, and cut what is left after a second.
            const drain = setInterval(() => server.closeIdleConnections(), 25);
            const cut = setTimeout(() => server.closeAllConnections(), 1000);
            await stopped;
            clearInterval(drain);
            clearTimeout(cut);
            await memory.close();
            await db.close();
            // daemon.json is removed only by the daemon that wrote it (docs/daemon.md).
            const info = await readFile(files.daemonInfo, "utf8").then((t) => JSON.parse(t) as { pid?: unknown }, () => null);
            if (info?.pid === process.pid) await rm(files.daemonInfo, { force: true });
            await lock.release();
        })());
    return { url, port, config, db, close };
}

/** A start-up failure a person can fix; the CLI prints its message alone. */
export class StartError extends Error {}

/**
 * A daemon reachable from other machines (a phone, docs/daemon.md) must know the names they reach it by:
 * without `http.allowed_hosts` every request from them would fail the Host check anyway, and a
 * person who binds widely by mistake should hear so before anything listens.
 */
function refuseOpenBind(host: string, allowedHosts: string[], configFile: string): void {
    const loopback = host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
    if (loopback || allowedHosts.length > 0) return;
    throw new StartError(
        `--host ${host} lets other machines reach the daemon, but no http.allowed_hosts is configured: add the names they use ` +
            `(e.g. allowed_hosts: ["my-desktop.tailnet.ts.net", "192.168.1.20"]) under http: in ${configFile}, and give each device ` +
            "its own token (lodge token create phone). See the README's \"Ask from your phone\".",
    );
}

function hostName(host: string): string {
    return host.includes(":") ? `[${host}]` : host;
}

/** The token the plugin uses: created on first start, kept in `<data>/plugin-token` (0600). */
async function ensurePluginToken(tokens: TokenService, file: string): Promise<string> {
    const existing = (await readFile(file, "utf8").catch(() => "")).trim();
    if (existing && (await tokens.verify(existing))) return existing;
    const token = await tokens.create("obsidian", ["messages"], true);
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return token;
}
