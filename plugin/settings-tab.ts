/**
 * The settings tab. One list of fields feeds both renderings: Obsidian 1.13+ builds the tab from
 * `getSettingDefinitions()` (and indexes it for settings search); older versions call `display()`.
 * Values are read and written through the plugin's settings store, so the token goes to the app's
 * secret storage where there is one.
 */
import { type App, type Plugin, PluginSettingTab, Setting, type SettingDefinitionItem } from "obsidian";
import type { LodgeSettings } from "./settings";

/** What the tab needs from the plugin. */
export interface SettingsHost {
    get(): LodgeSettings;
    update(patch: Partial<LodgeSettings>): Promise<void>;
    /** Agent names for the default-agent dropdown (the cached list; may be empty). */
    agentNames(): string[];
}

type Field =
    | { key: "daemonUrl" | "chatFolder"; kind: "text"; name: string; desc: string; placeholder: string }
    | { key: "token"; kind: "secret"; name: string; desc: string }
    | { key: "defaultAgent"; kind: "agent"; name: string; desc: string }
    | { key: "sendOnSave" | "sendAfterIdle"; kind: "toggle"; name: string; desc: string }
    | { key: "idleMs"; kind: "seconds"; name: string; desc: string };

const FIELDS: Field[] = [
    { key: "daemonUrl", kind: "text", name: "Daemon URL", desc: "Where the Lodge daemon listens; lodge start prints it.", placeholder: "http://127.0.0.1:8765" },
    { key: "token", kind: "secret", name: "Token", desc: "The daemon's plugin token. Kept in Obsidian's secret storage when available." },
    { key: "defaultAgent", kind: "agent", name: "Default agent", desc: "For notes without an agent in their frontmatter." },
    { key: "chatFolder", kind: "text", name: "Chat folder", desc: "Notes in this folder are chats, as are notes with an agent in their frontmatter.", placeholder: "Chats" },
    { key: "sendOnSave", kind: "toggle", name: "Send on save", desc: "Saving a chat note (Ctrl/Cmd+S) sends it when its last user turn has text. Autosave never does." },
    { key: "sendAfterIdle", kind: "toggle", name: "Send after idle", desc: "Send a chat note once you stop typing in it." },
    { key: "idleMs", kind: "seconds", name: "Idle time", desc: "Seconds without typing before a chat note is sent." },
];

export class LodgeSettingTab extends PluginSettingTab {
    constructor(
        app: App,
        plugin: Plugin,
        private readonly host: SettingsHost,
    ) {
        super(app, plugin);
    }

    override getSettingDefinitions(): SettingDefinitionItem[] {
        return FIELDS.map((field): SettingDefinitionItem => {
            const base = { name: field.name, desc: field.desc };
            switch (field.kind) {
                case "text":
                    return { ...base, control: { type: "text", key: field.key, placeholder: field.placeholder } };
                case "toggle":
                    return { ...base, control: { type: "toggle", key: field.key } };
                case "seconds":
                    return { ...base, control: { type: "number", key: field.key, min: 1 } };
                case "agent":
                    return { ...base, control: { type: "dropdown", key: field.key, options: this.agentOptions() } };
                case "secret":
                    return { ...base, render: (setting: Setting) => this.secretInput(setting) };
            }
        });
    }

    override getControlValue(key: string): unknown {
        const value = this.host.get()[key as keyof LodgeSettings];
        return key === "idleMs" ? Number(value) / 1000 : value;
    }

    override async setControlValue(key: string, value: unknown): Promise<void> {
        await this.host.update({ [key]: key === "idleMs" ? Number(value) * 1000 : value });
    }

    /** The rendering for Obsidian before 1.13, from the same fields. */
    override display(): void {
        const { containerEl } = this;
        containerEl.empty();
        for (const field of FIELDS) {
            const setting = new Setting(containerEl).setName(field.name).setDesc(field.desc);
            switch (field.kind) {
                case "text":
                    setting.addText((text) => text
                        .setPlaceholder(field.placeholder)
                        .setValue(this.host.get()[field.key])
                        .onChange((value) => this.host.update({ [field.key]: value })));
                    break;
                case "toggle":
                    setting.addToggle((toggle) => toggle
                        .setValue(this.host.get()[field.key])
                        .onChange((value) => this.host.update({ [field.key]: value })));
                    break;
                case "seconds":
                    setting.addText((text) => text
                        .setValue(String(this.host.get().idleMs / 1000))
                        .onChange((value) => this.host.update({ idleMs: Number(value) * 1000 })));
                    break;
                case "agent":
                    setting.addDropdown((dropdown) => dropdown
                        .addOptions(this.agentOptions())
                        .setValue(this.host.get().defaultAgent)
                        .onChange((value) => this.host.update({ defaultAgent: value })));
                    break;
                case "secret":
                    this.secretInput(setting);
                    break;
            }
        }
    }

    private secretInput(setting: Setting): void {
        setting.addText((text) => {
            text.inputEl.type = "password";
            text.setPlaceholder("Paste the token").setValue(this.host.get().token).onChange((value) => this.host.update({ token: value.trim() }));
        });
    }

    private agentOptions(): Record<string, string> {
        const options: Record<string, string> = { "": "The daemon's default" };
        const current = this.host.get().defaultAgent;
        for (const name of [...this.host.agentNames(), ...(current ? [current] : [])]) options[name] = name;
        return options;
    }
}
