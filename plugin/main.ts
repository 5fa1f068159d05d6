/**
 * Lodge for Obsidian: wiring only. The parts live in their own modules: settings (pure), the daemon
 * client, the turn manager and its streaming core (plugin/stream), the Obsidian adapters
 * (plugin/obsidian), the commands and the UI.
 */
import { Platform, Plugin, TFile } from "obsidian";
import { AgentCatalog } from "./agent-catalog";
import { ChatActions } from "./chat-actions";
import { registerCommands } from "./commands";
import { Connection } from "./connection";
import { DaemonClient } from "./daemon-client";
import { IdleSender } from "./idle-sender";
import { markChatViews } from "./obsidian/chat-view-class";
import { WorkspaceEditors } from "./obsidian/editors";
import { frameScheduler } from "./obsidian/frame";
import { TokenStore } from "./obsidian/token-store";
import { VaultFiles } from "./obsidian/vault-files";
import { type CommandLike, hookSaveCommand } from "./save-hook";
import { isChatNote } from "./chat-note";
import { DeviceLink } from "./device-link";
import { isLoopbackUrl, type LodgeSettings, MOBILE_LOOPBACK_NOTICE, planTokenStorage, readStoredData, type StoredData } from "./settings";
import { LodgeSettingTab } from "./settings-tab";
import { EditorRegistry } from "./stream/editor-attachment";
import { TurnManager } from "./turn-manager";
import { displayError, notify } from "./ui/display-error";
import { StatusBar } from "./ui/status-bar";

export default class LodgePlugin extends Plugin {
    private data!: StoredData;
    private token = "";
    private tokens!: TokenStore;
    private turns: TurnManager | null = null;
    private link: DeviceLink | null = null;

    override async onload(): Promise<void> {
        this.tokens = new TokenStore(this.app);
        await this.loadSettings();

        const editors = new WorkspaceEditors(this.app.workspace);
        const registry = new EditorRegistry();
        this.registerEditorExtension(registry.extension);
        const client = new DaemonClient({
            baseUrl: () => this.data.daemonUrl,
            token: () => this.token,
            // requestUrl buffers the whole answer and cannot be aborted; the reply must stream.
            transport: (url, init) => fetch(url, init),
        });
        const statusEl = this.addStatusBarItem();
        const status = new StatusBar(statusEl);
        const catalog = new AgentCatalog(client, {
            load: () => this.data.daemonConfig,
            save: async (cache) => {
                this.data.daemonConfig = cache;
                await this.saveData(this.data);
            },
        });
        // Every error the person is shown also tells the connection what it learnt (offline, token refused).
        const report = (error: unknown): void => {
            connection.failed(error);
            displayError(error);
        };
        const turns = new TurnManager({
            editors,
            files: new VaultFiles(this.app.vault),
            registry,
            frame: frameScheduler(window),
            now: () => performance.now(),
            delay: (ms) => new Promise((resolve) => window.setTimeout(resolve, ms)),
            client,
            settings: () => this.data,
            status: (s) => status.set(s),
            report,
            notice: notify,
            saveNow: (path) => editors.save(path),
            onStreamStart: () => {
                connection.answered();
                connection.refresh();
            },
            onDone: (done) => {
                if (!done.usage || !done.conversation_id) return;
                status.setUsage(done.usage, null);
                const last = done.usage;
                client.conversation(done.conversation_id).then(
                    (c) => status.setUsage(last, c.usage),
                    () => undefined,
                );
            },
        });
        this.turns = turns;
        const connection = new Connection({
            client,
            catalog,
            online: (reachable) => (reachable ? turns.markOnline() : turns.markOffline()),
            tokenRefused: (refused) => status.setTokenRefused(refused),
            report: displayError,
        });

        const actions = new ChatActions({
            app: this.app,
            editors,
            turns,
            catalog,
            connection,
            settings: () => this.data,
            updateSettings: (patch) => this.updateSettings(patch),
            report,
            notice: notify,
        });
        registerCommands(this, actions, report);
        this.registerDomEvent(statusEl, "click", () => void actions.checkConnection().catch(report));
        this.addSettingTab(
            new LodgeSettingTab(this.app, this, {
                get: () => ({ ...this.data, token: this.token }),
                update: (patch) => this.updateSettings(patch),
                agentNames: () => catalog.agents.map((a) => a.name),
                check: () => connection.check(),
            }),
        );

        const commands = (this.app as unknown as { commands?: { commands?: Record<string, CommandLike> } }).commands?.commands;
        this.register(
            hookSaveCommand(commands, () => {
                const active = editors.active();
                if (this.data.sendOnSave && active) turns.send(active.path, active.view, "save").catch(report);
            }),
        );
        const idle = new IdleSender({
            settings: () => this.data,
            pathOf: (view) => editors.pathOf(view),
            send: (path, view) => void turns.send(path, view, "idle").catch(report),
            setTimer: (callback, ms) => window.setTimeout(callback, ms),
            clearTimer: (id) => window.clearTimeout(id),
        });
        this.register(registry.onUserEdit((view) => idle.onUserEdit(view)));
        this.register(() => idle.dispose());
        this.registerEvent(this.app.vault.on("rename", (file, oldPath) => turns.rename(oldPath, file.path)));
        let marking: number | null = null;
        const markLater = (): void => {
            if (marking !== null) return;
            marking = window.setTimeout(() => {
                marking = null;
                markChatViews(editors, () => this.data.chatFolder);
            }, 50);
        };
        // docs/daemon.md: the open chat notes go to the daemon, turns running on them are followed, questions synced in are sent.
        const link = new DeviceLink({
            client,
            turns,
            openNotes: () => editors.openNotes(),
            pathOf: (view) => editors.pathOf(view),
            isChat: (path, text) => isChatNote(path, text, this.data.chatFolder),
            readFile: async (path) => {
                const file = this.app.vault.getAbstractFileByPath(path);
                return file instanceof TFile ? this.app.vault.read(file) : null;
            },
            configChanged: () => void catalog.configChanged().catch(() => undefined),
            setTimer: (callback, ms) => window.setTimeout(callback, ms),
            clearTimer: (id) => window.clearTimeout(id),
            report,
        });
        this.link = link;
        this.register(registry.onForeignChange((view) => link.foreignChange(view)));
        this.registerEvent(
            this.app.workspace.on("file-open", () => {
                markLater();
                link.notesChanged();
            }),
        );
        this.registerEvent(
            this.app.workspace.on("layout-change", () => {
                markLater();
                link.notesChanged();
            }),
        );
        this.register(() => {
            if (marking !== null) window.clearTimeout(marking);
        });
        // docs/memory.md: refreshed on start, on focus and when a stream starts, never on a timer.
        this.registerDomEvent(window, "focus", () => connection.refresh());
        this.app.workspace.onLayoutReady(() => {
            connection.refresh();
            markLater();
            link.start();
            // A phone reaches the desktop's daemon by its address, never by 127.0.0.1 (README "Ask from your phone").
            if (Platform.isMobile && isLoopbackUrl(this.data.daemonUrl)) notify(MOBILE_LOOPBACK_NOTICE);
        });
    }

    override onunload(): void {
        // Streams close after what arrived is saved; the daemon then finishes each turn on disk.
        this.link?.stop();
        void this.turns?.unload();
    }

    private async loadSettings(): Promise<void> {
        this.data = readStoredData(await this.loadData());
        const available = this.tokens.available;
        const plan = planTokenStorage(this.data.token, available ? this.tokens.read() : null, available);
        this.token = plan.token;
        if (plan.writeSecret) this.tokens.write(plan.token);
        if (plan.clearData) {
            this.data.token = "";
            await this.saveData(this.data);
        }
    }

    private async updateSettings(patch: Partial<LodgeSettings>): Promise<void> {
        const { token, ...rest } = patch;
        const stored: Partial<LodgeSettings> = rest;
        if (token !== undefined) {
            this.token = token;
            if (this.tokens.available) this.tokens.write(token);
            else stored.token = token;
        }
        this.data = readStoredData({ ...this.data, ...stored });
        await this.saveData(this.data);
    }
}
