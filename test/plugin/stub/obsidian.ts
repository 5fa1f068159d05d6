/**
 * A small stub of the `obsidian` module for unit tests in node (the real package ships types only).
 * It holds just what plugin modules import as values, each mirroring the API named in its comment
 * (node_modules/obsidian/obsidian.d.ts); test/plugin/setup.ts makes `import ... from "obsidian"`
 * resolve here. Add a symbol only when a test needs it. The checks at the end hold each stubbed member
 * to the real one's type, so a stub that drifts from the API fails `npm run typecheck`.
 */
import type * as obsidian from "obsidian";

/** Every Notice shown, newest last (tests read it). */
export const notices: string[] = [];

/** `Notice` (obsidian.d.ts): shows a message; here, records it. */
export class Notice {
    constructor(message: string | DocumentFragment, _duration?: number) {
        notices.push(typeof message === "string" ? message : (message.textContent ?? ""));
    }
}

/** `apiVersion` / `requireApiVersion(version)`: the app's version, settable by tests. */
export const stubState = { apiVersion: "1.13.1" };

/** `Platform`: a desktop app (tests may flip `isMobile`). */
export const Platform = { isDesktop: true, isMobile: false, isDesktopApp: true, isMobileApp: false };

export function requireApiVersion(version: string): boolean {
    const a = stubState.apiVersion.split(".").map(Number);
    const b = version.split(".").map(Number);
    for (let i = 0; i < 3; i++) {
        if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
    }
    return true;
}

/** `normalizePath(path)`: forward slashes, no duplicate, leading or trailing slashes ("/" for the root). */
export function normalizePath(path: string): string {
    const out = path
        .replace(/\\/g, "/")
        .replace(/\/+/g, "/")
        .replace(/^\/|\/$/g, "");
    return out === "" ? "/" : out;
}

/** `TAbstractFile` / `TFile` / `TFolder`: a vault entry by path. */
export abstract class TAbstractFile {
    constructor(public path: string) {}
    get name(): string {
        return this.path.slice(this.path.lastIndexOf("/") + 1);
    }
}
export class TFile extends TAbstractFile {
    get extension(): string {
        return this.name.includes(".") ? this.name.slice(this.name.lastIndexOf(".") + 1) : "";
    }
    get basename(): string {
        return this.name.replace(/\.[^.]*$/, "");
    }
}
export class TFolder extends TAbstractFile {}

/** `Component`: owns cleanups registered with `register`. */
export class Component {
    readonly cleanups: (() => unknown)[] = [];
    register(cb: () => unknown): void {
        this.cleanups.push(cb);
    }
}

/** `MarkdownView`: a tab showing a note; `file` and `editor` are what the plugin reads. */
export class MarkdownView {
    file: TFile | null = null;
    editor: unknown = null;
}

/** `Plugin`: `addCommand` records the commands so tests can run them. */
export class Plugin extends Component {
    readonly commands: { id: string; name: string; hotkeys?: unknown[]; [key: string]: unknown }[] = [];
    constructor(
        public app: unknown,
        public manifest: unknown,
    ) {
        super();
    }
    addCommand<T extends { id: string; name: string }>(command: T): T {
        this.commands.push(command);
        return command;
    }
}

/** `ButtonComponent`: `setButtonText`, `setDisabled`, `onClick`; `click()` runs the callback as a click would. */
export class ButtonComponent {
    text = "";
    disabled = false;
    private handler: (() => unknown) | null = null;
    setButtonText(text: string): this {
        this.text = text;
        return this;
    }
    setDisabled(disabled: boolean): this {
        this.disabled = disabled;
        return this;
    }
    onClick(callback: () => unknown): this {
        this.handler = callback;
        return this;
    }
    async click(): Promise<void> {
        await this.handler?.();
    }
}

/** `Setting`: a row; records its name, description (`desc`, with `descEl`'s classes) and buttons. */
export class Setting {
    name = "";
    desc = "";
    heading = false;
    readonly buttons: ButtonComponent[] = [];
    readonly descEl = {
        classes: new Set<string>(),
        toggleClass(cls: string, on: boolean): void {
            if (on) this.classes.add(cls);
            else this.classes.delete(cls);
        },
    };
    constructor(readonly containerEl: unknown) {}
    setName(name: string | DocumentFragment): this {
        this.name = typeof name === "string" ? name : (name.textContent ?? "");
        return this;
    }
    setDesc(desc: string | DocumentFragment): this {
        this.desc = typeof desc === "string" ? desc : (desc.textContent ?? "");
        return this;
    }
    setHeading(): this {
        this.heading = true;
        return this;
    }
    addButton(cb: (button: ButtonComponent) => unknown): this {
        const button = new ButtonComponent();
        this.buttons.push(button);
        cb(button);
        return this;
    }
}

/** `PluginSettingTab`: the settings tab base class; `refreshDomState()` is counted. */
export abstract class PluginSettingTab {
    containerEl = { empty: (): void => undefined };
    refreshes = 0;
    constructor(
        public app: unknown,
        public plugin: unknown,
    ) {}
    refreshDomState(): void {
        this.refreshes++;
    }
}

/** `SuggestModal<T>`: a fuzzy list; `open` records the instance in `openModals`. */
export const openModals: unknown[] = [];
export abstract class SuggestModal<T> {
    emptyStateText = "";
    placeholder = "";
    constructor(public app: unknown) {}
    setPlaceholder(placeholder: string): void {
        this.placeholder = placeholder;
    }
    open(): void {
        openModals.push(this);
    }
    abstract getSuggestions(query: string): T[];
    abstract onChooseSuggestion(item: T, evt?: unknown): void;
}

// Type-level checks against node_modules/obsidian/obsidian.d.ts: the stub accepts every argument the real
// member accepts (parameters compared both ways where the stub is meant to be exact).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Accepts<Stub extends (...args: never[]) => unknown, Real extends (...args: never[]) => unknown> =
    Parameters<Real> extends Parameters<Stub> ? true : false;
type Method<T, K extends keyof T> = T[K] extends (...args: never[]) => unknown ? T[K] : never;
export const _stubChecks: true[] = [
    true satisfies Same<ConstructorParameters<typeof Notice>, ConstructorParameters<typeof obsidian.Notice>>,
    true satisfies Same<Parameters<typeof requireApiVersion>, Parameters<typeof obsidian.requireApiVersion>>,
    true satisfies Same<Parameters<typeof normalizePath>, Parameters<typeof obsidian.normalizePath>>,
    true satisfies Same<Pick<typeof obsidian.Platform, keyof typeof Platform>, typeof Platform>,
    true satisfies Accepts<Method<Component, "register">, Method<obsidian.Component, "register">>,
    true satisfies Accepts<Method<Plugin, "addCommand">, Method<obsidian.Plugin, "addCommand">>,
    true satisfies Accepts<Method<ButtonComponent, "setButtonText">, Method<obsidian.ButtonComponent, "setButtonText">>,
    true satisfies Accepts<Method<ButtonComponent, "setDisabled">, Method<obsidian.ButtonComponent, "setDisabled">>,
    true satisfies Accepts<Method<Setting, "setName">, Method<obsidian.Setting, "setName">>,
    true satisfies Accepts<Method<Setting, "setDesc">, Method<obsidian.Setting, "setDesc">>,
    true satisfies Accepts<Method<Setting, "setHeading">, Method<obsidian.Setting, "setHeading">>,
    true satisfies Accepts<Method<PluginSettingTab, "refreshDomState">, Method<obsidian.PluginSettingTab, "refreshDomState">>,
    true satisfies Accepts<Method<SuggestModal<string>, "setPlaceholder">, Method<obsidian.SuggestModal<string>, "setPlaceholder">>,
];
