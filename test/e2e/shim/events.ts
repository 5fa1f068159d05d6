/** `Events`, `EventRef` and `Component` (obsidian.d.ts): the event bus and the lifecycle owner. */
import type * as obsidian from "obsidian";
import type { Api } from "./api";

/** `EventRef`: what `on` returns, for `offref`. Opaque in obsidian.d.ts (`{}`); only the Events that made it reads it. */
export interface EventRef {
    events: Events;
    name: string;
    fn: (...data: unknown[]) => unknown;
}

/** `Events`: `on`, `off`, `offref`, `trigger`. */
export class Events implements Api<obsidian.Events, "on" | "offref" | "trigger"> {
    private readonly handlers = new Map<string, EventRef[]>();

    on(name: string, callback: (...data: never[]) => unknown, ctx?: unknown): EventRef {
        const ref: EventRef = {
            events: this,
            name,
            fn: (...data: unknown[]) => (callback as (...d: unknown[]) => unknown).apply(ctx, data),
        };
        this.handlers.set(name, [...(this.handlers.get(name) ?? []), ref]);
        return ref;
    }

    offref(handle: obsidian.EventRef): void {
        const ref = handle as EventRef;
        this.handlers.set(
            ref.name,
            (this.handlers.get(ref.name) ?? []).filter((r) => r !== ref),
        );
    }

    trigger(name: string, ...data: unknown[]): void {
        for (const ref of this.handlers.get(name) ?? []) {
            try {
                ref.fn(...data);
            } catch (err) {
                // Obsidian catches and logs a handler's exception so the others still run.
                console.error(err);
            }
        }
    }
}

/** `Component`: `load`/`unload` around `onload`/`onunload`, and cleanups registered meanwhile. */
export class Component implements Api<
    obsidian.Component,
    "load" | "unload" | "onload" | "onunload" | "addChild" | "register" | "registerEvent" | "registerDomEvent" | "registerInterval"
> {
    private cleanups: (() => unknown)[] = [];
    private children: Component[] = [];
    private loaded = false;
    /** Harness: settles once `onload` has (a Plugin's may be async; Obsidian waits for it before layout-ready). */
    loading: Promise<void> = Promise.resolve();

    /** `load()`: returns nothing, as Obsidian's does; `loading` follows an async `onload`. */
    load(): void {
        if (this.loaded) return;
        this.loaded = true;
        const result: unknown = this.onload();
        this.loading = Promise.resolve(result).then(() => undefined);
    }

    unload(): void {
        if (!this.loaded) return;
        this.loaded = false;
        for (const child of this.children.splice(0)) child.unload();
        for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
        this.onunload();
    }

    onload(): void {}
    onunload(): void {}

    addChild<T extends Component>(child: T): T {
        this.children.push(child);
        if (this.loaded) child.load();
        return child;
    }

    /** `register(cb)`: runs `cb` on unload. */
    register(cb: () => unknown): void {
        this.cleanups.push(cb);
    }

    /** `registerEvent(ref)`: detaches the handler on unload. */
    registerEvent(ref: obsidian.EventRef): void {
        this.register(() => (ref as EventRef).events.offref(ref));
    }

    /** `registerDomEvent(el, type, callback)`: removes the listener on unload. */
    registerDomEvent(
        el: Window | Document | HTMLElement,
        type: string,
        callback: (ev: Event) => unknown,
        options?: boolean | AddEventListenerOptions,
    ): void {
        el.addEventListener(type, callback, options);
        this.register(() => el.removeEventListener(type, callback, options));
    }

    /** `registerInterval(id)`: clears the interval on unload. */
    registerInterval(id: number): number {
        this.register(() => window.clearInterval(id));
        return id;
    }
}
