/** `Events`, `EventRef` and `Component` (obsidian.d.ts): the event bus and the lifecycle owner. */

/** `EventRef`: what `on` returns, for `offref`. */
export interface EventRef {
    events: Events;
    name: string;
    fn: (...data: unknown[]) => unknown;
}

/** `Events`: `on`, `off`, `offref`, `trigger`. */
export class Events {
    private readonly handlers = new Map<string, EventRef[]>();

    on(name: string, callback: (...data: never[]) => unknown, ctx?: unknown): EventRef {
        const ref: EventRef = { events: this, name, fn: (...data: unknown[]) => (callback as (...d: unknown[]) => unknown).apply(ctx, data) };
        this.handlers.set(name, [...(this.handlers.get(name) ?? []), ref]);
        return ref;
    }

    offref(ref: EventRef): void {
        this.handlers.set(ref.name, (this.handlers.get(ref.name) ?? []).filter((r) => r !== ref));
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
export class Component {
    private cleanups: (() => unknown)[] = [];
    private children: Component[] = [];
    private loaded = false;

    /** Loads the component; resolves once an async `onload` has finished (Obsidian awaits a plugin's). */
    async load(): Promise<void> {
        if (this.loaded) return;
        this.loaded = true;
        await this.onload();
    }

    unload(): void {
        if (!this.loaded) return;
        this.loaded = false;
        for (const child of this.children.splice(0)) child.unload();
        for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
        this.onunload();
    }

    onload(): void | Promise<void> {}
    onunload(): void {}

    addChild<T extends Component>(child: T): T {
        this.children.push(child);
        if (this.loaded) void child.load();
        return child;
    }

    /** `register(cb)`: runs `cb` on unload. */
    register(cb: () => unknown): void {
        this.cleanups.push(cb);
    }

    /** `registerEvent(ref)`: detaches the handler on unload. */
    registerEvent(ref: EventRef): void {
        this.register(() => ref.events.offref(ref));
    }

    /** `registerDomEvent(el, type, callback)`: removes the listener on unload. */
    registerDomEvent(el: Window | Document | HTMLElement, type: string, callback: (ev: Event) => unknown, options?: boolean | AddEventListenerOptions): void {
        el.addEventListener(type, callback, options);
        this.register(() => el.removeEventListener(type, callback, options));
    }

    /** `registerInterval(id)`: clears the interval on unload. */
    registerInterval(id: number): number {
        this.register(() => window.clearInterval(id));
        return id;
    }
}
