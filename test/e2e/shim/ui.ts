/**
 * The UI pieces plugins build on (obsidian.d.ts): `Notice`, `Setting` with text/toggle/dropdown/button
 * components, `PluginSettingTab`, `Modal` and `SuggestModal`. Plain DOM, enough for a test to read
 * what the person would see and to click through it.
 */
import type * as obsidian from "obsidian";
import type { Api } from "./api";
import type { App, Plugin } from "./app";

/** Every notice shown, oldest first (the harness exposes it to tests). */
export const noticeLog: string[] = [];

/** `Notice`: a toast with a message. */
export class Notice implements Api<obsidian.Notice, "noticeEl" | "hide"> {
    readonly noticeEl: HTMLElement;
    constructor(message: string | DocumentFragment, duration = 5000) {
        const text = typeof message === "string" ? message : (message.textContent ?? "");
        noticeLog.push(text);
        this.noticeEl = (document.querySelector(".notice-container") as HTMLElement).createDiv({ cls: "notice", text });
        if (duration > 0) window.setTimeout(() => this.hide(), duration);
    }
    /** `hide()`. */
    hide(): void {
        this.noticeEl.remove();
    }
}

type Change<T> = (value: T) => unknown;

/** `ValueComponent`-style controls: `setValue`, `getValue`, `onChange`. */
abstract class Control<T, E extends HTMLElement> {
    protected change: Change<T> | null = null;
    constructor(readonly inputEl: E) {}
    abstract getValue(): T;
    abstract setValue(value: T): this;
    onChange(callback: Change<T>): this {
        this.change = callback;
        return this;
    }
}

/** `TextComponent`. */
export class TextComponent
    extends Control<string, HTMLInputElement>
    implements Api<obsidian.TextComponent, "inputEl" | "getValue" | "setValue" | "setPlaceholder" | "onChange">
{
    constructor(parent: HTMLElement) {
        super(parent.createEl("input", { attr: { type: "text" } }));
        this.inputEl.addEventListener("input", () => void this.change?.(this.inputEl.value));
    }
    getValue(): string {
        return this.inputEl.value;
    }
    setValue(value: string): this {
        this.inputEl.value = value;
        return this;
    }
    setPlaceholder(placeholder: string): this {
        this.inputEl.placeholder = placeholder;
        return this;
    }
}

/** `ToggleComponent` (a checkbox here). */
export class ToggleComponent
    extends Control<boolean, HTMLInputElement>
    implements Api<obsidian.ToggleComponent, "getValue" | "setValue" | "onChange">
{
    constructor(parent: HTMLElement) {
        super(parent.createEl("input", { attr: { type: "checkbox" } }));
        this.inputEl.addEventListener("change", () => void this.change?.(this.inputEl.checked));
    }
    getValue(): boolean {
        return this.inputEl.checked;
    }
    setValue(value: boolean): this {
        this.inputEl.checked = value;
        return this;
    }
}

/** `DropdownComponent`. */
export class DropdownComponent
    extends Control<string, HTMLSelectElement>
    implements Api<obsidian.DropdownComponent, "addOption" | "addOptions" | "getValue" | "setValue" | "onChange">
{
    constructor(parent: HTMLElement) {
        super(parent.createEl("select"));
        this.inputEl.addEventListener("change", () => void this.change?.(this.inputEl.value));
    }
    addOption(value: string, display: string): this {
        this.inputEl.createEl("option", { text: display, attr: { value } });
        return this;
    }
    addOptions(options: Record<string, string>): this {
        for (const [value, display] of Object.entries(options)) this.addOption(value, display);
        return this;
    }
    getValue(): string {
        return this.inputEl.value;
    }
    setValue(value: string): this {
        this.inputEl.value = value;
        return this;
    }
}

/** `ButtonComponent`: a button with `setButtonText`, `setDisabled` and `onClick`. */
export class ButtonComponent implements Api<obsidian.ButtonComponent, "buttonEl" | "setButtonText" | "setDisabled" | "onClick"> {
    readonly buttonEl: HTMLButtonElement;
    constructor(parent: HTMLElement) {
        this.buttonEl = parent.createEl("button");
    }
    setButtonText(text: string): this {
        this.buttonEl.setText(text);
        return this;
    }
    setDisabled(disabled: boolean): this {
        this.buttonEl.disabled = disabled;
        return this;
    }
    onClick(callback: (evt: MouseEvent) => unknown): this {
        this.buttonEl.addEventListener("click", (evt) => void callback(evt));
        return this;
    }
}

/** `Setting`: one row with a name, a description and controls. */
export class Setting implements Api<
    obsidian.Setting,
    | "settingEl"
    | "nameEl"
    | "descEl"
    | "controlEl"
    | "setName"
    | "setDesc"
    | "setHeading"
    | "addText"
    | "addToggle"
    | "addDropdown"
    | "addButton"
> {
    readonly settingEl: HTMLElement;
    readonly nameEl: HTMLElement;
    readonly descEl: HTMLElement;
    readonly controlEl: HTMLElement;
    constructor(containerEl: HTMLElement) {
        this.settingEl = containerEl.createDiv({ cls: "setting-item" });
        this.nameEl = this.settingEl.createDiv({ cls: "setting-item-name" });
        this.descEl = this.settingEl.createDiv({ cls: "setting-item-description" });
        this.controlEl = this.settingEl.createDiv({ cls: "setting-item-control" });
    }
    setName(name: string | DocumentFragment): this {
        this.nameEl.empty();
        this.nameEl.append(name);
        return this;
    }
    setDesc(desc: string | DocumentFragment): this {
        this.descEl.empty();
        this.descEl.append(desc);
        return this;
    }
    setHeading(): this {
        this.settingEl.addClass("setting-item-heading");
        return this;
    }
    addText(cb: (component: TextComponent) => unknown): this {
        cb(new TextComponent(this.controlEl));
        return this;
    }
    addToggle(cb: (component: ToggleComponent) => unknown): this {
        cb(new ToggleComponent(this.controlEl));
        return this;
    }
    addDropdown(cb: (component: DropdownComponent) => unknown): this {
        cb(new DropdownComponent(this.controlEl));
        return this;
    }
    addButton(cb: (component: ButtonComponent) => unknown): this {
        cb(new ButtonComponent(this.controlEl));
        return this;
    }
}

/**
 * `PluginSettingTab`: `containerEl` and `display()`; the shim renders it when settings open, always
 * through `display()` (the pre-1.13 path), so the 1.13 declarative members are inert defaults here.
 */
export abstract class PluginSettingTab implements Api<
    obsidian.PluginSettingTab,
    "app" | "containerEl" | "display" | "hide" | "getSettingDefinitions" | "getControlValue" | "setControlValue" | "refreshDomState"
> {
    readonly containerEl: HTMLElement;
    constructor(
        public app: App,
        public plugin: Plugin,
    ) {
        this.containerEl = document.createElement("div");
        this.containerEl.addClass("vertical-tab-content");
    }
    abstract display(): void;
    hide(): void {
        this.containerEl.empty();
    }
    /** `getSettingDefinitions()`: none by default (Obsidian then calls `display()`). */
    getSettingDefinitions(): obsidian.SettingDefinitionItem[] {
        return [];
    }
    getControlValue(_key: string): unknown {
        return undefined;
    }
    setControlValue(_key: string, _value: unknown): void | Promise<void> {}
    /** `refreshDomState()`: nothing to refresh, no definitions are rendered. */
    refreshDomState(): void {}
}

/** `Modal`: `open`/`close` around `onOpen`/`onClose`, with `contentEl`. */
export class Modal implements Api<
    obsidian.Modal,
    "app" | "containerEl" | "modalEl" | "contentEl" | "open" | "close" | "onOpen" | "onClose"
> {
    readonly containerEl: HTMLElement;
    readonly modalEl: HTMLElement;
    readonly contentEl: HTMLElement;
    constructor(public app: App) {
        this.containerEl = document.createElement("div");
        this.containerEl.addClass("modal-container");
        this.modalEl = this.containerEl.createDiv({ cls: "modal" });
        this.contentEl = this.modalEl.createDiv({ cls: "modal-content" });
    }
    open(): void {
        document.body.appendChild(this.containerEl);
        void this.onOpen();
    }
    close(): void {
        this.containerEl.remove();
        this.onClose();
    }
    onOpen(): void | Promise<void> {}
    onClose(): void {}
}

/** `SuggestModal<T>`: an input and the suggestions for it; clicking one chooses it and closes. */
export abstract class SuggestModal<T>
    extends Modal
    implements
        Api<obsidian.SuggestModal<T>, "limit" | "emptyStateText" | "inputEl" | "resultContainerEl" | "setPlaceholder" | "open">,
        // Only T and DOM types in these: Obsidian's own signatures apply as they are.
        Pick<obsidian.SuggestModal<T>, "getSuggestions" | "renderSuggestion" | "onChooseSuggestion">
{
    readonly inputEl: HTMLInputElement;
    readonly resultContainerEl: HTMLElement;
    emptyStateText = "No results found.";
    limit = 50;
    constructor(app: App) {
        super(app);
        this.inputEl = this.modalEl.createEl("input", { cls: "prompt-input", attr: { type: "text" } });
        this.resultContainerEl = this.modalEl.createDiv({ cls: "prompt-results" });
        this.inputEl.addEventListener("input", () => void this.refresh());
    }
    setPlaceholder(placeholder: string): void {
        this.inputEl.placeholder = placeholder;
    }
    override open(): void {
        super.open();
        void this.refresh();
        this.inputEl.focus();
    }
    private async refresh(): Promise<void> {
        const items = (await this.getSuggestions(this.inputEl.value)).slice(0, this.limit);
        this.resultContainerEl.empty();
        if (items.length === 0) this.resultContainerEl.createDiv({ cls: "suggestion-empty", text: this.emptyStateText });
        for (const item of items) {
            const el = this.resultContainerEl.createDiv({ cls: "suggestion-item" });
            this.renderSuggestion(item, el);
            el.addEventListener("click", (evt) => {
                this.close();
                this.onChooseSuggestion(item, evt);
            });
        }
    }
    abstract getSuggestions(query: string): T[] | Promise<T[]>;
    abstract renderSuggestion(value: T, el: HTMLElement): void;
    abstract onChooseSuggestion(item: T, evt: MouseEvent | KeyboardEvent): void;
}
