/** The daemon's object graph, built in the order its parts need each other: store → services → Koa app. */
import { readFrontmatter } from "../shared/note/frontmatter";
import { claudeCodeBackends } from "./backends/claude-code/backend";
import type { RetryPolicy } from "./backends/retry";
import type { LodgeConfig } from "./config";
import { withContext } from "./context/context-step";
import { FrontendTurns } from "./frontends/frontend-turns";
import { OpenAiApi } from "./frontends/openai-api";
import { createApp } from "./http/app";
import { configRoutes } from "./http/routes/config";
import { conversationRoutes } from "./http/routes/conversations";
import { eventRoutes } from "./http/routes/events";
import { frontendRoutes } from "./http/routes/frontends";
import { gitRoutes } from "./http/routes/git";
import { mcpRoutes } from "./http/routes/mcp";
import { openAiRoutes } from "./http/routes/openai";
import type { Logger } from "./log";
import { agentTools } from "./mcp/agent-tools";
import { claudeCodeMcp } from "./mcp/claude-code-access";
import { McpClients, withMcpTools } from "./mcp/client-tools";
import { LodgeMcpServer } from "./mcp/server";
import { TurnTokens } from "./mcp/turn-token";
import { MemoryService } from "./memory/memory-service";
import type { dataFiles } from "./paths";
import { AgentRegistry } from "./services/agents";
import { ConfigService } from "./services/config-service";
import { ConversationQueryService } from "./services/conversation-query";
import { ConversationService } from "./services/conversations";
import { EventHub } from "./services/event-hub";
import { OpenNotes } from "./services/open-notes";
import { TokenService } from "./services/tokens";
import { TurnService } from "./services/turn-service";
import { BlockStore } from "./store/blocks";
import { ChatNoteStore } from "./store/chat-notes";
import { ConversationSearchStore } from "./store/conversation-search";
import { ConversationStore } from "./store/conversations";
import { Db } from "./store/db";
import { FrontendConversationStore } from "./store/frontend-conversations";
import { AuditStore, TokenStore } from "./store/tokens";
import { TranscriptStore } from "./store/transcripts";
import { UsageStore } from "./store/usage";
import { VaultNoteStore } from "./store/vault-notes";
import { vaultToolBox, withVaultTools } from "./tools/vault-tools";
import { VaultIndex } from "./vault-index/vault-index";
import { SeenMarker } from "./watch/missed-changes";
import { RecordingVault } from "./watch/own-writes";
import type { Vault } from "./vault/vault";
import { NoteWatcher } from "./watch/watcher";
import { Visibility } from "./vault/visibility";
import { VERSION } from "./version";
import { plural } from "./words";

export interface ServiceInputs {
    config: LodgeConfig;
    configFile: string;
    env: NodeJS.ProcessEnv;
    log: Logger;
    data: string;
    files: ReturnType<typeof dataFiles>;
    vault: Vault;
    /** The vault folder as given (resolved, not its real path): what Claude Code and MCP servers are told. */
    vaultDir: string;
    retry?: RetryPolicy;
    /** config.http with the daemon's own name added to allowed_hosts when it binds one. */
    http: LodgeConfig["http"];
    /** The daemon's URL and port, known once it listens (port 0 picks one). */
    url: () => string;
    port: () => number;
}

export interface DaemonServices {
    db: Db;
    app: ReturnType<typeof createApp>;
    turns: TurnService;
    memory: MemoryService;
    index: VaultIndex;
    mcpClients: McpClients;
    watcher: NoteWatcher | null;
    tokens: TokenService;
}

export async function buildServices(i: ServiceInputs): Promise<DaemonServices> {
    const { config, env, log, vault, files } = i;
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
    const maxBytes = config.http.max_body_mb * 1024 * 1024;
    // Bound late: Lodge's MCP server exists further down.
    const claudeCode = claudeCodeBackends({
        store: new TranscriptStore(db),
        data: i.data,
        vault: i.vaultDir,
        env,
        log,
        mcp: (input) => claudeMcp(input),
    });
    const agents = new AgentRegistry(config, { env, retry: i.retry, extra: { "claude-code": claudeCode } }, i.configFile);
    const memory = new MemoryService({
        dir: files.memory,
        agents: config.agents,
        store: new BlockStore(db),
        log,
        maxBodyBytes: maxBytes,
        onPush: () => void configs.recheck((etag) => events.publish({ event: "config", data: { etag } })),
    });
    const visibility = new Visibility(config.context.exclude);
    const index = new VaultIndex({ root: vault.root, store: new VaultNoteStore(db), visibility, maxBytes, log });
    const vaultContext = { vault, index, visibility, maxBytes };
    const mcpClients = new McpClients({ env, vault: i.vaultDir, log });
    const usageStore = new UsageStore(db);
    const turns = new TurnService({
        vault,
        agents,
        conversations,
        prepare: withContext(
            withMcpTools(
                withVaultTools((agent, base, context) => memory.prepareTurn(agent, base, context), vaultToolBox(vaultContext, log)),
                mcpClients,
            ),
            {
                root: vault.root,
                visibility,
                linkChars: config.context.link_chars,
                maxBytes,
                log,
            },
        ),
        usage: (conversationId, usage) => usageStore.add(conversationId, usage),
        audit: (e) => audit.add({ ...e, action: "turn" }),
        progressMs: config.chats.progress_ms,
        log,
    });
    const openNotes = new OpenNotes();
    // With chats.watch the vault remembers the daemon's own writes, so the watcher never answers them.
    const watcher =
        vault instanceof RecordingVault
            ? await NoteWatcher.start({
                  vault,
                  folders: config.chats.folders,
                  idleMs: config.chats.watch_idle_ms,
                  turns,
                  knownNotes: () => new ChatNoteStore(db).notePaths(),
                  maxBytes,
                  log,
                  openInEditor: (rel) => openNotes.isOpen(rel),
                  seen: new SeenMarker(files.watchSeen),
                  trace: (line) => log.debug(line),
              })
            : null;
    const queries = new ConversationQueryService({
        search: new ConversationSearchStore(db),
        conversations: conversationStore,
        transcripts: new TranscriptStore(db),
        usage: usageStore,
        readNote: (notePath) =>
            vault
                .resolve(notePath)
                .then((note) => vault.read(note))
                .catch(() => null),
        skills: (agent) => memory.skills(agent),
    });
    const mcpServer = new LodgeMcpServer({ agents: config.agents, memory, vault: vaultContext, queries, log });
    const claudeMcp = claudeCodeMcp({ url: i.url, server: mcpServer, turnTokens });
    const configs = new ConfigService({ agents, skills: (agent) => memory.skills(agent), version: VERSION });
    await configs.recheck(() => undefined);
    turns.observe((turn, run) => events.watchTurn(turn, run));
    // docs/frontends.md: the other frontends run their turns on log notes through the same TurnService.
    const frontends = new FrontendTurns({ turns, agents, conversations, vault, logFolder: config.chats.log_folder, log });
    const openai = new OpenAiApi({
        frontends,
        agents,
        conversations,
        logged: new FrontendConversationStore(db),
        logFolder: config.chats.log_folder,
    });
    const app = createApp({
        turns,
        agents,
        tokens,
        log,
        http: i.http,
        port: i.port,
        agentTools: agentTools({ server: mcpServer, clients: mcpClients }),
        extraRoutes: [
            (router) => gitRoutes(router, { memory, tokens }),
            (router) => conversationRoutes(router, { queries, tokens }),
            (router) => configRoutes(router, { config: configs, tokens }),
            (router) => eventRoutes(router, { events, tokens, openNotes, vault, maxBodyBytes: maxBytes }),
            (router) => mcpRoutes(router, { mcp: mcpServer, tokens, turnTokens, agents: config.agents, maxBodyBytes: maxBytes }),
            (router) => openAiRoutes(router, { api: openai, tokens, maxBodyBytes: maxBytes }),
            (router) => frontendRoutes(router, { frontends, tokens, maxBodyBytes: maxBytes }),
        ],
    });
    return { db, app, turns, memory, index, mcpClients, watcher, tokens };
}
