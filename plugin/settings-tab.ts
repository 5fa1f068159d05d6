/**
 * The settings tab, in three sections (Connection, Chats, Sending). One list of sections feeds both
 * renderings: Obsidian 1.13+ builds the tab from `getSettingDefinitions()` (and indexes it for
 * settings search); older versions call `display()`. Values are read and written through the plugin's
 * settings store, so the token goes to the app's secret storage where there is one.
 */
import {
    type App,
    type Plugin,
    PluginSettingTab,
    requireApiVersion,
    Setting,
    type SettingDefinition,
    type SettingDefinitionItem,
} from "obsidian";
import type { CheckResult } from "./connection";
import type { LodgeSettings } from "./settings";
import { errorMessage } from "./ui/display-error";

/** What the tab needs from the plugin. */
export interface SettingsHost {
    get(): LodgeSettings;
    update(patch: Partial<LodgeSettings>): Promise<void>;
    /** Agent names for the default-agent dropdown (the cached list; may be empty). */
    agentNames(): string[];
    /** "Test connection": asks the daemon, with the token. */
    check(): Promise<CheckResult>;
}

type Field =
    | { key: "daemonUrl" | "chatFolder"; kind: "text"; name: string; desc: string; placeholder: string }
    | { key: "token"; kind: "secret"; name: string; desc: string }
    | { key: "defaultAgent"; kind: "agent"; name: string; desc: string }
    | { key: "sendOnSave" | "sendAfterIdle"; kind: "toggle"; name: string; desc: string }
    | { key: "idleMs"; kind: "seconds"; name: string; desc: string }
    | { key: null; kind: "test"; name: string; desc: string };

const SECTIONS: { heading: string; fields: Field[] }[] = [
    {
        heading: "Connection",
        fields: [
            {
                key: "daemonUrl",
                kind: "text",
                name: "Daemon URL",
                desc: "Where the Lodge daemon listens; lodge start prints it.",
                placeholder: "http://127.0.0.1:8765",
            },
            {
                key: "token",
                kind: "secret",
                name: "Token",
                desc: "The daemon's plugin token. Kept in Obsidian's secret storage when available.",
            },
            {
                key: null,
                kind: "test",
                name: "Test connection",
                desc: "Asks the daemon who it is and which agents it has, with this token.",
            },
        ],
    },
    {
        heading: "Chats",
        fields: [
            { key: "defaultAgent", kind: "agent", name: "Default agent", desc: "For notes without an agent in their frontmatter." },
            {
                key: "chatFolder",
                kind: "text",
                name: "Chat folder",
                desc: "Notes in this folder are chats, as are notes with an agent in their frontmatter.",
                placeholder: "Chats",
            },
        ],
    },
    {
        heading: "Sending",
        fields: [
            {
                key: "sendOnSave",
                kind: "toggle",
                name: "Send on save",
                desc: "Saving a chat note (Ctrl/Cmd+S) sends it when its last user turn has text. Autosave never does.",
            },
            { key: "sendAfterIdle", kind: "toggle", name: "Send after idle", desc: "Send a chat note once you stop typing in it." },
            { key: "idleMs", kind: "seconds", name: "Idle time", desc: "Seconds without typing before a chat note is sent." },
        ],
    },
];

export class LodgeSettingTab extends PluginSettingTab {
    /** The idle time's row in display()'s rendering, shown and hidden with its toggle. */
    private idleRow: HTMLElement | null = null;

    constructor(
        app: App,
        plugin: Plugin,
        private readonly host: SettingsHost,
    ) {
        super(app, plugin);
    }

    override getSettingDefinitions(): SettingDefinitionItem[] {
        return SECTIONS.map((section): SettingDefinitionItem => ({
            type: "group",
            heading: section.heading,
            items: section.fields.map((field) => this.definition(field)),
        }));
    }

    override getControlValue(key: string): unknown {
        const value = this.host.get()[key as keyof LodgeSettings];
        return key === "idleMs" ? Number(value) / 1000 : value;
    }

    override async setControlValue(key: string, value: unknown): Promise<void> {
        await this.host.update({ [key]: key === "idleMs" ? Number(value) * 1000 : value });
        // The idle time shows only while sending after idle is on. Only 1.13+ calls this method at all.
        if (requireApiVersion("1.13.0") && key === "sendAfterIdle") this.refreshDomState();
    }

    /** The rendering for Obsidian before 1.13, from the same sections. */
    override display(): void {
        const { containerEl } = this;
        containerEl.empty();
        for (const section of SECTIONS) {
            new Setting(containerEl).setName(section.heading).setHeading();
            for (const field of section.fields) {
                const setting = new Setting(containerEl).setName(field.name).setDesc(field.desc);
                if (field.kind === "seconds") {
                    this.idleRow = setting.settingEl;
                    setting.settingEl.toggle(this.idleVisible());
                }
                this.renderControl(field, setting);
            }
        }
    }

    private definition(field: Field): SettingDefinition {
        const base = { name: field.name, desc: field.desc };
        switch (field.kind) {
            case "text":
                return { ...base, control: { type: "text", key: field.key, placeholder: field.placeholder } };
            case "toggle":
                return { ...base, control: { type: "toggle", key: field.key } };
            case "seconds":
                return { ...base, visible: () => this.idleVisible(), control: { type: "number", key: field.key, min: 1 } };
            case "agent":
                return { ...base, control: { type: "dropdown", key: field.key, options: this.agentOptions() } };
            case "secret":
            case "test":
                return { ...base, render: (setting: Setting) => this.renderControl(field, setting) };
        }
    }

    /** The imperative control of a field (all of them before 1.13; the custom ones from 1.13 on). */
    private renderControl(field: Field, setting: Setting): void {
        const settings = this.host.get();
        switch (field.kind) {
            case "text":
                setting.addText((text) =>
                    text
                        .setPlaceholder(field.placeholder)
                        .setValue(settings[field.key])
                        .onChange((value) => this.host.update({ [field.key]: value })),
                );
                break;
            case "toggle":
                setting.addToggle((toggle) =>
                    toggle.setValue(settings[field.key]).onChange(async (value) => {
                        await this.host.update({ [field.key]: value });
                        if (field.key === "sendAfterIdle") this.idleRow?.toggle(value);
                    }),
                );
                break;
            case "seconds":
                setting.addText((text) =>
                    text.setValue(String(settings.idleMs / 1000)).onChange((value) => this.host.update({ idleMs: Number(value) * 1000 })),
                );
                break;
            case "agent":
                setting.addDropdown((dropdown) =>
                    dropdown
                        .addOptions(this.agentOptions())
                        .setValue(settings.defaultAgent)
                        .onChange((value) => this.host.update({ defaultAgent: value })),
                );
                break;
            case "secret":
                setting.addText((text) => {
                    text.inputEl.type = "password";
                    text.setPlaceholder("Paste the token")
                        .setValue(settings.token)
                        .onChange((value) => this.host.update({ token: value.trim() }));
                });
                break;
            case "test":
                setting.addButton((button) =>
                    button.setButtonText("Test connection").onClick(async () => {
                        button.setDisabled(true);
                        setting.setDesc("Asking the daemon…");
                        const result = await this.host.check();
                        button.setDisabled(false);
                        // The result stays in the tab, where the person is looking; no Notice.
                        setting.setDesc(result.ok ? result.message : errorMessage(result.error));
                        setting.descEl.toggleClass("lodge-check-ok", result.ok);
                        setting.descEl.toggleClass("lodge-check-failed", !result.ok);
                    }),
                );
                break;
        }
    }

    private idleVisible(): boolean {
        return this.host.get().sendAfterIdle;
    }

    private agentOptions(): Record<string, string> {
        const options: Record<string, string> = { "": "The daemon's default" };
        const current = this.host.get().defaultAgent;
        for (const name of [...this.host.agentNames(), ...(current ? [current] : [])]) options[name] = name;
        return options;
    }
}
