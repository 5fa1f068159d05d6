/**
 * Obsidian adds helpers to every HTMLElement (obsidian.d.ts `interface HTMLElement`/`Node`
 * augmentations: createEl, createDiv, empty, setText, addClass…). Plugins call them on elements
 * Obsidian hands over (status bar item, setting containers), so the shim installs the ones used.
 */

/** `DomElementInfo` (obsidian.d.ts), the subset used. */
export interface DomElementInfo {
    cls?: string | string[];
    text?: string;
    attr?: Record<string, string | number | boolean | null>;
}

function apply(el: HTMLElement, info?: DomElementInfo | string): void {
    if (typeof info === "string") info = { cls: info };
    if (!info) return;
    if (info.cls) el.classList.add(...(Array.isArray(info.cls) ? info.cls : info.cls.split(" ").filter(Boolean)));
    if (info.text !== undefined) el.textContent = info.text;
    for (const [k, v] of Object.entries(info.attr ?? {})) if (v !== null && v !== false) el.setAttribute(k, String(v));
}

declare global {
    interface HTMLElement {
        /** `Node.createEl(tag, info?)`: a child element. */
        createEl<K extends keyof HTMLElementTagNameMap>(tag: K, info?: DomElementInfo | string): HTMLElementTagNameMap[K];
        /** `Node.createDiv(info?)`. */
        createDiv(info?: DomElementInfo | string): HTMLDivElement;
        /** `Node.createSpan(info?)`. */
        createSpan(info?: DomElementInfo | string): HTMLSpanElement;
        /** `Node.empty()`: removes every child. */
        empty(): void;
        /** `Element.setText(text)`. */
        setText(text: string): void;
        /** `Element.addClass(...classes)`. */
        addClass(...classes: string[]): void;
        /** `Element.removeClass(...classes)`. */
        removeClass(...classes: string[]): void;
        /** `Element.toggleClass(classes, value)`. */
        toggleClass(classes: string | string[], value: boolean): void;
        /** `Element.setAttr(name, value)`. */
        setAttr(name: string, value: string | number | boolean | null): void;
        /** `HTMLElement.toggle(show)`: shown or hidden (`display: none`). */
        toggle(show: boolean): void;
    }
}

export function installDomHelpers(): void {
    const proto = HTMLElement.prototype;
    proto.createEl = function <K extends keyof HTMLElementTagNameMap>(this: HTMLElement, tag: K, info?: DomElementInfo | string) {
        const el = document.createElement(tag);
        apply(el, info);
        this.appendChild(el);
        return el;
    };
    proto.createDiv = function (this: HTMLElement, info?: DomElementInfo | string) {
        return this.createEl("div", info);
    };
    proto.createSpan = function (this: HTMLElement, info?: DomElementInfo | string) {
        return this.createEl("span", info);
    };
    proto.empty = function (this: HTMLElement) {
        while (this.firstChild) this.removeChild(this.firstChild);
    };
    proto.setText = function (this: HTMLElement, text: string) {
        this.textContent = text;
    };
    proto.addClass = function (this: HTMLElement, ...classes: string[]) {
        this.classList.add(...classes);
    };
    proto.removeClass = function (this: HTMLElement, ...classes: string[]) {
        this.classList.remove(...classes);
    };
    proto.toggleClass = function (this: HTMLElement, classes: string | string[], value: boolean) {
        for (const c of Array.isArray(classes) ? classes : [classes]) this.classList.toggle(c, value);
    };
    proto.toggle = function (this: HTMLElement, show: boolean) {
        this.style.display = show ? "" : "none";
    };
    proto.setAttr = function (this: HTMLElement, name: string, value: string | number | boolean | null) {
        if (value === null || value === false) this.removeAttribute(name);
        else this.setAttribute(name, String(value));
    };
}
