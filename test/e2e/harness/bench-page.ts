/**
 * The page script of `npm run bench`'s plugin rows (bench/plugin-editor.bench.ts): a CodeMirror 6
 * editor like the e2e harness's, a 1 MB note, and a 20 KB reply in 2,000 deltas made by the shared
 * ReplyBuilder as the daemon makes them, delivered over 10 s to
 *   - the plugin's own streaming code (ReplyTurn, EditorAttachment, the frame scheduler), and
 *   - a client that receives the whole note every 100 ms and diffs it into the editor.
 * It times what each spends in the editor: the plugin's flushes and end of turn, the snapshot
 * client's decode, diff and dispatch, and CodeMirror's measure cycles for both.
 */
import { EditorSelection, EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { frameScheduler } from "../../../plugin/obsidian/frame";
import { EditorRegistry } from "../../../plugin/stream/editor-attachment";
import { ReplyTurn } from "../../../plugin/stream/reply-turn";
import { applyDelta } from "../../../shared/protocol/delta";
import { editorBaseExtensions } from "../shim/editor";
import { makeDeltas, makeNote } from "./bench-data";

interface Timing {
    /** Time in the client's own editor work (plugin: flushes and end of turn; snapshot client: diff and dispatch). */
    clientMs: number;
    dispatchMs: number;
    dispatches: number;
    measureMs: number;
    measures: number;
    longTasks: number[];
    cursorBefore: number;
    cursorAfter: number;
    scrollMoved: number;
    correct: boolean;
    /** Not counted as editor time: delta bookkeeping (plugin) or JSON decoding (snapshot client). */
    otherMs: number;
    /** The plugin's end of turn (last edits, frontmatter, the undo step), included in clientMs. */
    finishMs: number;
}

const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

async function editor(note: string, extensions = editorBaseExtensions()): Promise<{ view: EditorView; timing: Timing }> {
    document.body.replaceChildren();
    const parent = document.createElement("div");
    parent.style.cssText = "height: 800px; width: 1000px;";
    document.body.appendChild(parent);
    const view = new EditorView({ state: EditorState.create({ doc: note, extensions }), parent });
    view.scrollDOM.style.overflow = "auto";
    view.dom.style.height = "100%";
    const cursor = Math.floor(note.length / 2);
    // The person is in this note: the editor has the focus and the page's selection, as in Obsidian.
    // (Without a DOM selection CodeMirror reads the browser's at every update, which forces a layout.)
    view.focus();
    view.dispatch({ selection: EditorSelection.cursor(cursor) });
    // The person watches the reply arrive: the view is at the end of the note.
    view.dispatch({ effects: EditorView.scrollIntoView(note.length, { y: "end" }) });
    for (let i = 0; i < 5; i++) await nextFrame();
    const timing: Timing = {
        clientMs: 0,
        dispatchMs: 0,
        dispatches: 0,
        measureMs: 0,
        measures: 0,
        longTasks: [],
        cursorBefore: cursor,
        cursorAfter: -1,
        scrollMoved: 0,
        correct: false,
        otherMs: 0,
        finishMs: 0,
    };
    const dispatch = view.dispatch.bind(view);
    view.dispatch = ((...args: Parameters<EditorView["dispatch"]>) => {
        const t = performance.now();
        dispatch(...args);
        timing.dispatchMs += performance.now() - t;
        timing.dispatches++;
    }) as EditorView["dispatch"];
    // CodeMirror's measure cycle (EditorView.measure, internal in the typings) runs from its own
    // requestAnimationFrame callback as `this.measure()`, so an own property catches every cycle.
    const internal = view as unknown as { measure(flush?: boolean): void };
    const measure = internal.measure.bind(view);
    internal.measure = (flush?: boolean) => {
        const t = performance.now();
        measure(flush);
        timing.measureMs += performance.now() - t;
        timing.measures++;
    };
    return { view, timing };
}

function watchLongTasks(timing: Timing): () => void {
    const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) timing.longTasks.push(entry.duration);
    });
    observer.observe({ type: "longtask", buffered: false });
    return () => observer.disconnect();
}

/** Delivers `deltas` evenly over `durationMs`, calling `deliver` with each batch that is due. */
function pace(count: number, durationMs: number, deliver: (from: number, to: number) => void): Promise<void> {
    return new Promise((resolve) => {
        const start = performance.now();
        let sent = 0;
        const timer = window.setInterval(() => {
            const due = Math.min(count, Math.floor(((performance.now() - start) / durationMs) * count) + 1);
            if (due > sent) {
                deliver(sent, due);
                sent = due;
            }
            if (sent >= count) {
                window.clearInterval(timer);
                resolve();
            }
        }, 4);
    });
}

/** Sets up the plugin's run and returns it: the node side reads CPU counters around the run alone. */
async function preparePlugin(noteSize: number, count: number, tokenLength: number, durationMs: number): Promise<() => Promise<Timing>> {
    const note = makeNote(noteSize);
    const { deltas, reply } = makeDeltas(count, tokenLength);
    const registry = new EditorRegistry();
    const { view, timing } = await editor(note, [editorBaseExtensions(), registry.extension]);
    const scrollTop = view.scrollDOM.scrollTop;
    const frames = frameScheduler(window);
    const turn = new ReplyTurn(
        {
            registry,
            editors: { viewFor: () => view, shows: () => true, requestSave: () => undefined },
            files: { process: () => Promise.reject(new Error("the bench never writes files")) },
            frame: (callback, delayMs) =>
                frames(() => {
                    const t = performance.now();
                    callback();
                    timing.clientMs += performance.now() - t;
                }, delayMs),
            now: () => performance.now(),
            delay: (ms) => new Promise((resolve) => window.setTimeout(resolve, ms)),
        },
        "bench.md",
        view,
        note,
    );
    return async () => {
        const stop = watchLongTasks(timing);
        await turn.handle({ event: "start", data: { agent: "bench", conversation_id: "c", anchor: note.trimEnd().length } });
        await pace(deltas.length, durationMs, (from, to) => {
            const t = performance.now();
            for (let i = from; i < to; i++) void turn.handle({ event: "delta", data: deltas[i]! });
            timing.otherMs += performance.now() - t;
        });
        const t = performance.now();
        await turn.handle({
            event: "done",
            data: { status: "ok", agent: "bench", conversation_id: "c", reply, frontmatter: "", new_content: note.trimEnd() + reply },
        });
        timing.finishMs = performance.now() - t;
        timing.clientMs += timing.finishMs;
        for (let i = 0; i < 5; i++) await nextFrame();
        stop();
        timing.cursorAfter = view.state.selection.main.head;
        timing.scrollMoved = view.scrollDOM.scrollTop - scrollTop;
        timing.correct = view.state.doc.toString() === note.trimEnd() + reply;
        view.destroy();
        return timing;
    };
}

async function prepareSnapshots(
    noteSize: number,
    count: number,
    tokenLength: number,
    durationMs: number,
    everyMs: number,
): Promise<() => Promise<Timing>> {
    const note = makeNote(noteSize);
    const { deltas, reply } = makeDeltas(count, tokenLength);
    const { view, timing } = await editor(note);
    return async () => {
        const stop = watchLongTasks(timing);
        const base = note.trimEnd();
        let current = "";
        let applied = 0;
        const receive = (): void => {
            // What the server sends every 100 ms: the whole note, as JSON. Building it is not the client's cost.
            const message = JSON.stringify({ content: base + current });
            const t0 = performance.now();
            const { content } = JSON.parse(message) as { content: string };
            const t1 = performance.now();
            // The straightforward diff such a client does (cm6-splice-bench.md, B2): common prefix and
            // suffix by a character loop over the editor's text.
            const doc = view.state.doc.toString();
            const limit = Math.min(doc.length, content.length);
            let from = 0;
            while (from < limit && doc.charCodeAt(from) === content.charCodeAt(from)) from++;
            let back = 0;
            while (back < limit - from && doc.charCodeAt(doc.length - 1 - back) === content.charCodeAt(content.length - 1 - back)) back++;
            if (from < doc.length - back || from < content.length - back) {
                view.dispatch({ changes: { from, to: doc.length - back, insert: content.slice(from, content.length - back) } });
            }
            timing.otherMs += t1 - t0;
            timing.clientMs += performance.now() - t1;
        };
        const snapshots = window.setInterval(receive, everyMs);
        await pace(deltas.length, durationMs, (from, to) => {
            for (let i = from; i < to; i++) current = applyDelta(current, deltas[i]!);
            applied = to;
        });
        window.clearInterval(snapshots);
        current = reply;
        receive();
        for (let i = 0; i < 5; i++) await nextFrame();
        stop();
        timing.cursorAfter = view.state.selection.main.head;
        timing.correct = applied === deltas.length && view.state.doc.toString() === base + reply;
        view.destroy();
        return timing;
    };
}

let prepared: (() => Promise<Timing>) | null = null;

(window as unknown as { bench: unknown }).bench = {
    async prepare(
        kind: "plugin" | "snapshots",
        noteSize: number,
        count: number,
        tokenLength: number,
        durationMs: number,
        everyMs = 100,
    ): Promise<void> {
        prepared =
            kind === "plugin"
                ? await preparePlugin(noteSize, count, tokenLength, durationMs)
                : await prepareSnapshots(noteSize, count, tokenLength, durationMs, everyMs);
    },
    go(): Promise<Timing> {
        const run = prepared;
        prepared = null;
        if (!run) throw new Error("bench: prepare first");
        return run();
    },
};
