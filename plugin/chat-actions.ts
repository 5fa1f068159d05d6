/**
 * What the commands do, apart from their registration: new chat, choose agent, regenerate, check
 * connection, stop. Edits the person asked for (setting the agent, removing the reply to regenerate)
 * are ordinary undoable editor changes.
 */
import { type App, TFile, normalizePath } from "obsidian";
import type { EditorView } from "@codemirror/view";
import type { AgentInfo } from "../shared/protocol/api";
import { AgentCatalog } from "./agent-catalog";
import { newChatNote, newChatPath, noteAgent, removeLastReply, setAgentEdit, type TextEdit } from "./chat-note";
import { type Connection, isTokenRefused } from "./connection";
import { cmOf, type WorkspaceEditors } from "./obsidian/editors";
import type { LodgeSettings } from "./settings";
import type { TurnManager } from "./turn-manager";
import { AgentSuggestModal } from "./ui/agent-suggest";

export interface ActionDeps {
    app: App;
    editors: WorkspaceEditors;
    turns: TurnManager;
    catalog: AgentCatalog;
    connection: Connection;
    settings: () => LodgeSettings;
    updateSettings: (patch: Partial<LodgeSettings>) => Promise<void>;
    report: (error: unknown) => void;
    notice: (message: string) => void;
}

function edit(view: EditorView, change: TextEdit): void {
    view.dispatch({ changes: change, userEvent: "input" });
}

export class ChatActions {
    constructor(private readonly deps: ActionDeps) {}

    async send(path: string, view: EditorView): Promise<void> {
        await this.deps.turns.send(path, view, "command");
    }

    /** Stops the active note's reply, or the only one streaming. */
    async stop(): Promise<void> {
        const active = this.deps.editors.active();
        const busy = this.deps.turns.busyPaths;
        const path = active && this.deps.turns.isBusy(active.path) ? active.path : busy.length === 1 ? busy[0]! : null;
        if (path === null) {
            this.deps.notice(busy.length === 0 ? "No reply is streaming." : "Open the note whose reply you want to stop.");
            return;
        }
        await this.deps.turns.stop(path);
    }

    async regenerate(path: string, view: EditorView): Promise<void> {
        if (this.deps.turns.isBusy(path)) {
            this.deps.notice("A reply is already streaming into this note.");
            return;
        }
        const change = removeLastReply(view.state.doc.toString());
        if (!change) {
            this.deps.notice("The last turn of this note is not a reply.");
            return;
        }
        edit(view, change);
        await this.deps.turns.send(path, view, "command");
    }

    /** A new note in the chat folder with `agent:` set, opened, the cursor in its first user turn. */
    async newChat(): Promise<void> {
        const { app, settings } = this.deps;
        let agent = AgentCatalog.pick(settings().defaultAgent, this.deps.catalog.cached);
        if (agent === null) agent = AgentCatalog.pick("", await this.deps.catalog.refresh().catch(() => undefined));
        const folder = normalizePath(settings().chatFolder || "/");
        const inRoot = folder === "/" || folder === "";
        if (!inRoot && !app.vault.getAbstractFileByPath(folder)) await app.vault.createFolder(folder);
        const path = newChatPath(inRoot ? "" : folder, new Date(), (p) => app.vault.getAbstractFileByPath(p) !== null);
        const note = newChatNote(agent);
        const file = await app.vault.create(path, note.text);
        const leaf = app.workspace.getLeaf(false);
        await leaf.openFile(file, { active: true });
        const view = this.deps.editors.active();
        if (view && view.path === file.path) {
            view.markdown.editor.setCursor(view.markdown.editor.offsetToPos(note.cursor));
            view.markdown.editor.focus();
        }
    }

    /** The agent picker: sets `agent:` in the active note, or the default agent when no note is open. */
    async chooseAgent(): Promise<void> {
        const { agents, stale } = await this.deps.catalog.list();
        if (stale !== null) {
            this.deps.connection.failed(stale);
            if (isTokenRefused(stale)) this.deps.report(stale);
            else this.deps.notice("The Lodge daemon did not answer: showing the agents it listed last time.");
        }
        const active = this.deps.editors.active();
        const current = active ? noteAgent(active.view.state.doc.toString()) : this.deps.settings().defaultAgent || null;
        new AgentSuggestModal(this.deps.app, agents, current, (agent) => void this.applyAgent(agent, active?.path ?? null)).open();
    }

    async checkConnection(): Promise<void> {
        const result = await this.deps.connection.check();
        if (result.ok) this.deps.notice(result.message);
        else this.deps.report(result.error);
    }

    private async applyAgent(agent: AgentInfo, path: string | null): Promise<void> {
        if (path !== null) {
            const markdown = this.deps.editors.markdownViews().find((m) => m.file?.path === path);
            const view = markdown ? cmOf(markdown) : null;
            if (view && markdown?.file instanceof TFile) {
                edit(view, setAgentEdit(view.state.doc.toString(), agent.name));
                return;
            }
        }
        await this.deps.updateSettings({ defaultAgent: agent.name });
        this.deps.notice(`New chats use ${agent.name}.`);
    }
}
