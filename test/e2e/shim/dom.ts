/**
 * Obsidian adds helpers to every element (obsidian.d.ts `declare global`: `Node.createEl`,
 * `createDiv`, `empty`, `Element.setText`, `addClass`…). Plugins call them on elements Obsidian hands
 * over (status bar item, setting containers), so the shim installs the ones used, typed by
 * obsidian.d.ts's own global declarations (and `DomElementInfo`) through `Api`.
 */
import type { Api } from "./api";

function apply(el: HTMLElement, info?: DomElementInfo | string): void {
    if (typeof info === "string") info = { cls: info };
    if (!info) return;
    if (info.cls) el.classList.add(...(Array.isArray(info.cls) ? info.cls : info.cls.split(" ").filter(Boolean)));
    if (info.text !== undefined) el.append(info.text);
    for (const [k, v] of Object.entries(info.attr ?? {})) if (v !== null && v !== false) el.setAttribute(k, String(v));
}

type Helpers = Api<
    HTMLElement,
    "createEl" | "createDiv" | "createSpan" | "empty" | "setText" | "addClass" | "removeClass" | "toggleClass" | "setAttr" | "toggle"
>;

const helpers: Helpers & ThisType<HTMLElement> = {
    createEl(tag, info, callback) {
        const el = document.createElement(tag);
        apply(el, info);
        this.appendChild(el);
        callback?.(el);
        return el;
    },
    createDiv(info, callback) {
        const el = this.createEl("div", info);
        callback?.(el);
        return el;
    },
    createSpan(info, callback) {
        const el = this.createEl("span", info);
        callback?.(el);
        return el;
    },
    empty() {
        while (this.firstChild) this.removeChild(this.firstChild);
    },
    setText(text) {
        this.empty();
        this.append(text);
    },
    addClass(...classes) {
        this.classList.add(...classes);
    },
    removeClass(...classes) {
        this.classList.remove(...classes);
    },
    toggleClass(classes, value) {
        for (const c of Array.isArray(classes) ? classes : [classes]) this.classList.toggle(c, value);
    },
    toggle(show) {
        this.style.display = show ? "" : "none";
    },
    setAttr(name, value) {
        if (value === null || value === false) this.removeAttribute(name);
        else this.setAttribute(name, String(value));
    },
};

export function installDomHelpers(): void {
    Object.assign(HTMLElement.prototype, helpers);
}
