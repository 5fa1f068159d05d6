/**
 * The ports a turn needs (plugin/stream/ports.ts), in memory: tabs as FakeViews that show a
 * path, files as strings, animation frames run by hand, and a clock.
 */
import type { EditorView } from "@codemirror/view";
import { EditorRegistry } from "../../../plugin/stream/editor-attachment";
import type { TurnDeps } from "../../../plugin/stream/ports";
import { FakeView } from "./fake-view";

export class FakeWorkspace {
    readonly registry = new EditorRegistry();
    /** Which note each tab shows. */
    readonly tabs = new Map<FakeView, string>();
    readonly disk = new Map<string, string>();
    readonly saved: string[] = [];
    private frames: (() => void)[] = [];
    clock = 0;
    /** What each editor dispatch costs on the clock, ms (to exercise the turn's pacing). */
    dispatchCost = 0;
    /** The delay of every frame request (undefined: the next frame). */
    readonly delays: (number | undefined)[] = [];
    /** Every `Vault.process` call: the path and what it found on disk. */
    readonly processed: { path: string; found: string }[] = [];

    /** A tab showing `path`, with the note's text from disk (or `text`). */
    open(path: string, text?: string): FakeView {
        const view = new FakeView(text ?? this.disk.get(path) ?? "", this.registry.extension);
        const dispatch = view.dispatch.bind(view);
        view.dispatch = (...input) => {
            this.clock += this.dispatchCost;
            dispatch(...input);
        };
        if (text !== undefined && !this.disk.has(path)) this.disk.set(path, text);
        this.tabs.set(view, path);
        return view;
    }

    /** The tab switches to another note: Obsidian saves the old one, then swaps the document. */
    switch(view: FakeView, path: string): void {
        const old = this.tabs.get(view);
        if (old !== undefined) this.disk.set(old, view.doc);
        this.tabs.set(view, path);
        view.setState(this.disk.get(path) ?? "", this.registry.extension);
    }

    close(view: FakeView): void {
        const old = this.tabs.get(view);
        if (old !== undefined) this.disk.set(old, view.doc);
        this.tabs.delete(view);
    }

    /** Runs the animation frames requested so far; returns how many ran. */
    frame(): number {
        const run = this.frames;
        this.frames = [];
        for (const cb of run) cb();
        return run.length;
    }

    get pendingFrames(): number {
        return this.frames.length;
    }

    deps(): TurnDeps {
        return {
            registry: this.registry,
            editors: {
                viewFor: (path) => {
                    for (const [view, p] of this.tabs) if (p === path) return view.asView();
                    return null;
                },
                shows: (view, path) => this.tabs.get(view as unknown as FakeView) === path,
                requestSave: (path) => {
                    this.saved.push(path);
                    for (const [view, p] of this.tabs) if (p === path) this.disk.set(path, view.doc);
                },
            },
            files: {
                process: async (path, fn) => {
                    await Promise.resolve();
                    const found = this.disk.get(path);
                    if (found === undefined) throw new Error(`no file ${path}`);
                    this.processed.push({ path, found });
                    this.disk.set(path, fn(found));
                },
            },
            // Delayed flushes run with the next frame here: tests step time by frames.
            frame: (cb, delayMs) => {
                this.delays.push(delayMs);
                this.frames.push(cb);
                return () => {
                    this.frames = this.frames.filter((f) => f !== cb);
                };
            },
            now: () => this.clock,
            delay: async (ms) => {
                this.clock += ms;
                await Promise.resolve();
            },
        };
    }

    viewAs(view: FakeView): EditorView {
        return view.asView();
    }
}
