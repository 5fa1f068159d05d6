/**
 * `App`, `Plugin` and `SecretStorage` (obsidian.d.ts), plus Obsidian's internal command registry
 * (`app.commands`, not in the public typings, which the plugin's save hook reaches into) with the
 * built-in `editor:save-file` bound to Ctrl/Cmd+S, as in Obsidian.
 */
import type { Extension } from "@codemirror/state";
import type { ViewUpdate } from "@codemirror/view";
import type * as obsidian from "obsidian";
import type { Api } from "./api";
import { MarkdownView } from "./editor";
import { Component, Events } from "./events";
import { type PluginSettingTab } from "./ui";
import { FileApi, Vault } from "./vault";
import { Workspace } from "./workspace";

/** `Command` (obsidian.d.ts): the callbacks Obsidian knows. */
export type Command = Api<
    obsidian.Command,
    "id" | "name" | "hotkeys" | "callback" | "checkCallback" | "editorCallback" | "editorCheckCallback"
>;

/** Obsidian's internal `app.commands`: `commands` by id and `executeCommandById`. */
export class Commands {
    readonly commands: Record<string, Command> = {};
    constructor(private readonly app: App) {}

    addCommand(command: Command): void {
        this.commands[command.id] = command;
    }

    removeCommand(id: string): void {
        delete this.commands[id];
    }

    /** Runs a command as the palette or a hotkey does; false when it is not available here. */
    executeCommandById(id: string): boolean {
        const command = this.commands[id];
        if (!command) return false;
        const view = this.app.workspace.getActiveViewOfType(MarkdownView);
        if (command.editorCheckCallback) {
            if (!view || command.editorCheckCallback(true, view.editor, view) === false) return false;
            command.editorCheckCallback(false, view.editor, view);
            return true;
        }
        if (command.editorCallback) {
            if (!view) return false;
            command.editorCallback(view.editor, view);
            return true;
        }
        if (command.checkCallback) {
            if (command.checkCallback(true) === false) return false;
            command.checkCallback(false);
            return true;
        }
        command.callback?.();
        return Boolean(command.callback);
    }
}

/** `SecretStorage` (since 1.11.4): secrets by id, kept in memory here (Obsidian uses the OS keychain). */
export class SecretStorage extends Events implements Api<obsidian.SecretStorage, "setSecret" | "getSecret" | "listSecrets"> {
    private readonly secrets = new Map<string, string>();
    /** `setSecret(id, secret)`: ids are lowercase alphanumeric with dashes. */
    setSecret(id: string, secret: string): void {
        if (!/^[a-z0-9-]+$/.test(id)) throw new Error(`Invalid secret id: ${id}`);
        this.secrets.set(id, secret);
    }
    /** `getSecret(id)`. */
    getSecret(id: string): string | null {
        return this.secrets.get(id) ?? null;
    }
    /** `listSecrets()`. */
    listSecrets(): string[] {
        return [...this.secrets.keys()];
    }
}

export interface AppOptions {
    base: string;
    root: HTMLElement;
    autosaveMs: number;
    secretStorage: boolean;
    onUpdate?: (update: ViewUpdate) => void;
}

/** `App`: `vault`, `workspace`, `secretStorage`, and the internal `commands`. */
export class App implements Api<obsidian.App, "vault" | "workspace" | "secretStorage"> {
    readonly vault: Vault;
    readonly workspace: Workspace;
    readonly commands: Commands;
    /**
     * Always there in obsidian.d.ts (the latest API); absent in an Obsidian before 1.11.4, which the
     * boot option `secretStorage: false` plays, hence the plugin's own check.
     */
    readonly secretStorage: SecretStorage;
    readonly settingTabs: PluginSettingTab[] = [];

    constructor(options: AppOptions) {
        this.vault = new Vault(new FileApi(options.base));
        this.workspace = new Workspace({
            vault: this.vault,
            autosaveMs: options.autosaveMs,
            root: options.root,
            onUpdate: options.onUpdate,
        });
        this.commands = new Commands(this);
        this.secretStorage = options.secretStorage ? new SecretStorage() : (undefined as unknown as SecretStorage);
        this.commands.addCommand({
            id: "editor:save-file",
            name: "Save current file",
            checkCallback: (checking) => {
                const view = this.workspace.getActiveViewOfType(MarkdownView);
                if (!view) return false;
                if (!checking) void view.save();
                return true;
            },
        });
        // Obsidian's default hotkey for editor:save-file.
        document.addEventListener(
            "keydown",
            (evt) => {
                if ((evt.ctrlKey || evt.metaKey) && !evt.shiftKey && !evt.altKey && evt.key.toLowerCase() === "s") {
                    evt.preventDefault();
                    this.commands.executeCommandById("editor:save-file");
                }
            },
            true,
        );
    }
}

/** `PluginManifest`: Obsidian's own type (manifest.json is read as it is). */
export type PluginManifest = obsidian.PluginManifest;

/** `Plugin`: commands, settings tab, status bar, editor extensions and `loadData`/`saveData`. */
export class Plugin
    extends Component
    implements
        Api<
            obsidian.Plugin,
            | "app"
            | "manifest"
            | "onload"
            | "addCommand"
            | "addSettingTab"
            | "addStatusBarItem"
            | "registerEditorExtension"
            | "loadData"
            | "saveData"
        >
{
    constructor(
        public app: App,
        public manifest: PluginManifest,
    ) {
        super();
    }

    private get dataPath(): string {
        return `${this.app.vault.configDir}/plugins/${this.manifest.id}/data.json`;
    }

    /** `addCommand(command)`: ids are prefixed with the plugin id, as in Obsidian. */
    addCommand(command: Command): Command {
        const full = { ...command, id: `${this.manifest.id}:${command.id}` };
        this.app.commands.addCommand(full);
        this.register(() => this.app.commands.removeCommand(full.id));
        return full;
    }

    /** `addSettingTab(tab)`. */
    addSettingTab(tab: PluginSettingTab): void {
        this.app.settingTabs.push(tab);
    }

    /** `addStatusBarItem()`: an element in the status bar. */
    addStatusBarItem(): HTMLElement {
        const el = (document.querySelector(".status-bar") as HTMLElement).createDiv({ cls: "status-bar-item" });
        this.register(() => el.remove());
        return el;
    }

    /** `registerEditorExtension(extension)`. */
    registerEditorExtension(extension: Extension): void {
        this.app.workspace.registerEditorExtension(extension);
    }

    /** `loadData()`: data.json parsed, or null. */
    async loadData(): Promise<unknown> {
        if (!(await this.app.vault.adapter.exists(this.dataPath))) return null;
        return JSON.parse(await this.app.vault.adapter.read(this.dataPath)) as unknown;
    }

    /** `saveData(data)`: data.json, pretty-printed with two spaces as Obsidian writes it. */
    async saveData(data: unknown): Promise<void> {
        await this.app.vault.adapter.write(this.dataPath, JSON.stringify(data, null, 2));
    }
}
