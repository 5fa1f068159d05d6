import "./setup";
import assert from "node:assert/strict";
import { DaemonClient, DaemonError, DaemonUnreachableError } from "../../plugin/daemon-client";
import { DEFAULT_SETTINGS, type LodgeSettings } from "../../plugin/settings";
import { type Status, TurnManager } from "../../plugin/turn-manager";
import type { StreamEvent } from "../../shared/protocol/events";
import { daemonDeltas } from "./helpers/daemon-deltas";
import { FakeDaemon, json, settle, SseScript } from "./helpers/fake-daemon";
import { FakeWorkspace } from "./helpers/fake-workspace";

function setup(settings: Partial<LodgeSettings> = {}) {
    const ws = new FakeWorkspace();
    const daemon = new FakeDaemon();
    const statuses: Status[] = [];
    const reports: unknown[] = [];
    const notices: string[] = [];
    const saved: string[] = [];
    const client = new DaemonClient({ baseUrl: () => "http://127.0.0.1:8765", token: () => "tok", transport: daemon.transport });
    const manager = new TurnManager({
        ...ws.deps(),
        client,
        settings: () => ({ ...DEFAULT_SETTINGS, ...settings }),
        status: (s) => statuses.push(s),
        report: (e) => reports.push(e),
        notice: (m) => notices.push(m),
        saveNow: (path) => {
            saved.push(path);
            return Promise.resolve();
        },
    });
    return { ws, daemon, manager, statuses, reports, notices, saved };
}

function turnEvents(text: string, tokens: string[]): StreamEvent[] {
    const { deltas, reply } = daemonDeltas(tokens);
    const frontmatter = "---\nagent: assistant\nconversation_id: c-9\n---\n";
    return [
        { event: "start", data: { agent: "assistant", conversation_id: "c-9", anchor: text.trimEnd().length } },
        ...deltas.map((d) => ({ event: "delta" as const, data: d })),
        {
            event: "done",
            data: {
                status: "ok",
                agent: "assistant",
                conversation_id: "c-9",
                reply,
                frontmatter,
                new_content: frontmatter + text.trimEnd() + reply,
            },
        },
    ];
}

describe("TurnManager", () => {
    it("sends a chat note once, as the editor's writer, and streams the reply into it", async () => {
        const { ws, daemon, manager, statuses } = setup();
        const view = ws.open("Chats/a.md", "Hi?\n");
        const sse = new SseScript(5);
        daemon.on("POST /v1/chat/stream", sse.response);
        const sent = manager.send("Chats/a.md", view.asView(), "save");
        await settle();
        const events = turnEvents("Hi?\n", ["Hello", " there"]);
        sse.send(...events);
        sse.end();
        const end = await sent;
        assert.equal(end?.kind, "done");
        const req = daemon.requestsTo("POST /v1/chat/stream");
        assert.equal(req.length, 1);
        assert.deepEqual(req[0]!.body, { filename: "Chats/a.md", content: "Hi?\n", writer: "editor" });
        assert.equal(req[0]!.headers.get("authorization"), "Bearer tok");
        const done = events.at(-1)!;
        assert.equal(view.doc, done.event === "done" ? done.data.new_content : "");
        assert.deepEqual(
            statuses.map((s) => (s.kind === "streaming" ? `streaming ${s.agents.join()}` : s.kind)),
            ["streaming ", "streaming assistant", "idle"],
        );
    });

    it("sends on save and after idle only chat notes; the command sends any note", async () => {
        const { ws, daemon, manager } = setup();
        daemon.on("POST /v1/chat/stream", json(409, { error: { code: "in_progress", message: "busy" } }));
        const plain = ws.open("Notes/plain.md", "Just a note?\n");
        assert.equal(await manager.send("Notes/plain.md", plain.asView(), "save"), null);
        assert.equal(await manager.send("Notes/plain.md", plain.asView(), "idle"), null);
        assert.equal(daemon.requests.length, 0);
        const tagged = ws.open("Notes/tagged.md", "---\nagent: gpt\n---\nA chat outside the folder?\n");
        await manager.send("Notes/tagged.md", tagged.asView(), "save");
        await manager.send("Notes/plain.md", plain.asView(), "command");
        assert.deepEqual(
            daemon.requests.map((r) => (r.body as { filename: string }).filename),
            ["Notes/tagged.md", "Notes/plain.md"],
        );
    });

    it("sends nothing when the last user turn is empty; only the command says why", async () => {
        const { ws, daemon, manager, notices } = setup();
        const view = ws.open("Chats/e.md", "Q?\n\n### Assistant:\n\nA.\n\n### User:\n\n");
        assert.equal(await manager.send("Chats/e.md", view.asView(), "save"), null);
        assert.deepEqual(notices, []);
        await manager.send("Chats/e.md", view.asView(), "command");
        assert.deepEqual(notices, ["The last user turn is empty: write your question under it first."]);
        assert.equal(daemon.requests.length, 0);
    });

    it("does not send a note twice while its reply streams", async () => {
        const { ws, daemon, manager, notices } = setup();
        const view = ws.open("Chats/b.md", "Q?\n");
        const sse = new SseScript();
        daemon.on("POST /v1/chat/stream", sse.response);
        const first = manager.send("Chats/b.md", view.asView(), "save");
        await settle();
        assert.equal(await manager.send("Chats/b.md", view.asView(), "save"), null);
        assert.equal(await manager.send("Chats/b.md", view.asView(), "command"), null);
        assert.deepEqual(notices, ["A reply is already streaming into this note."]);
        sse.send(...turnEvents("Q?\n", ["A."]));
        sse.end();
        await first;
        assert.equal(daemon.requests.length, 1);
    });

    it("passes the daemon's refusal on with its message and leaves the note as it was", async () => {
        const { ws, daemon, manager, reports, statuses } = setup();
        daemon.on(
            "POST /v1/chat/stream",
            json(409, { error: { code: "in_progress", message: "A turn is already running for Chats/c.md." } }),
        );
        const view = ws.open("Chats/c.md", "Q?\n\n");
        await manager.send("Chats/c.md", view.asView(), "save");
        assert.equal(reports.length, 1);
        const refusal = reports[0];
        assert.ok(refusal instanceof DaemonError);
        assert.equal(refusal.message, "A turn is already running for Chats/c.md.");
        assert.equal(refusal.code, "in_progress");
        assert.equal(view.doc, "Q?\n\n");
        assert.equal(view.log.length, 0);
        assert.equal(statuses.at(-1)?.kind, "idle");
    });

    it("a turn that fails after it started: the error callout stays in the note and the daemon's message is shown", async () => {
        const { ws, daemon, manager, reports } = setup();
        const view = ws.open("Chats/x.md", "Q?\n");
        const sse = new SseScript(3);
        daemon.on("POST /v1/chat/stream", sse.response);
        const sent = manager.send("Chats/x.md", view.asView(), "save");
        await settle();
        const { deltas } = daemonDeltas(["Partial"], { error: "The backend is overloaded." });
        sse.send(
            { event: "start", data: { agent: "assistant", conversation_id: "c", anchor: 2 } },
            ...deltas.map((d) => ({ event: "delta" as const, data: d })),
        );
        sse.send({ event: "error", data: { code: "backend_unavailable", message: "The backend is overloaded.", status_code: 503 } });
        sse.end();
        assert.deepEqual(await sent, { kind: "error", code: "backend_unavailable", message: "The backend is overloaded." });
        assert.equal(view.doc, "Q?\n\n### Assistant:\n\nPartial\n\n> [!error] The backend is overloaded.\n\n### User:\n\n");
        assert.equal((reports[0] as DaemonError).message, "The backend is overloaded.");
    });

    it("a turn that failed before any text: the next save sends it again and the reply takes the failed turn's place", async () => {
        const { ws, daemon, manager } = setup();
        const view = ws.open("Chats/r.md", "Q?\n");
        const failedSse = new SseScript(3);
        daemon.on("POST /v1/chat/stream", failedSse.response);
        const first = manager.send("Chats/r.md", view.asView(), "save");
        await settle();
        const failed = daemonDeltas([], { error: "The backend is overloaded." });
        failedSse.send(
            { event: "start", data: { agent: "assistant", conversation_id: "c", anchor: 2 } },
            ...failed.deltas.map((d) => ({ event: "delta" as const, data: d })),
        );
        failedSse.send({ event: "error", data: { code: "backend_unavailable", message: "The backend is overloaded.", status_code: 503 } });
        failedSse.end();
        await first;
        const afterFailure = "Q?\n\n### Assistant:\n\n> [!error] The backend is overloaded.";
        assert.equal(view.doc, afterFailure);

        const retrySse = new SseScript(3);
        daemon.on("POST /v1/chat/stream", retrySse.response);
        const second = manager.send("Chats/r.md", view.asView(), "save");
        await settle();
        assert.equal(daemon.requestsTo("POST /v1/chat/stream").length, 2, "the save sent the note again");
        assert.equal((daemon.requestsTo("POST /v1/chat/stream")[1]!.body as { content: string }).content, afterFailure);
        const { deltas, reply } = daemonDeltas(["Fine", " now."]);
        const frontmatter = "---\nagent: assistant\nconversation_id: c\n---\n";
        retrySse.send(
            { event: "start", data: { agent: "assistant", conversation_id: "c", anchor: 2 } },
            ...deltas.map((d) => ({ event: "delta" as const, data: d })),
            {
                event: "done",
                data: {
                    status: "ok",
                    agent: "assistant",
                    conversation_id: "c",
                    reply,
                    frontmatter,
                    new_content: `${frontmatter}Q?${reply}`,
                },
            },
        );
        retrySse.end();
        assert.equal((await second)?.kind, "done");
        assert.equal(view.doc, `${frontmatter}Q?\n\n### Assistant:\n\nFine now.\n\n### User:\n\n`);
    });

    it("shows offline when the daemon does not answer, and idle again once it does", async () => {
        const { ws, daemon, manager, reports, statuses } = setup();
        daemon.down = true;
        const view = ws.open("Chats/d.md", "Q?\n");
        await manager.send("Chats/d.md", view.asView(), "save");
        assert.ok(reports[0] instanceof DaemonUnreachableError);
        assert.equal(statuses.at(-1)?.kind, "offline");
        daemon.down = false;
        const sse = new SseScript();
        daemon.on("POST /v1/chat/stream", sse.response);
        const sent = manager.send("Chats/d.md", view.asView(), "save");
        await settle();
        sse.send(...turnEvents("Q?\n", ["Back."]));
        sse.end();
        await sent;
        assert.equal(statuses.at(-1)?.kind, "idle");
    });

    it("keeps what arrived when the connection drops, saves it and says the daemon finishes the reply", async () => {
        const { ws, daemon, manager, notices, saved, reports } = setup();
        const view = ws.open("Chats/f.md", "Q?\n");
        const sse = new SseScript();
        daemon.on("POST /v1/chat/stream", sse.response);
        const sent = manager.send("Chats/f.md", view.asView(), "save");
        await settle();
        sse.send(...turnEvents("Q?\n", ["Part one", " and two"]).slice(0, 4));
        await settle();
        sse.fail();
        const end = await sent;
        assert.equal(end?.kind, "dropped");
        assert.ok(view.doc.startsWith("Q?\n\n### Assistant:\n\nPart"));
        assert.deepEqual(saved, ["Chats/f.md"]);
        assert.deepEqual(notices, ["Lost the connection to the Lodge daemon. It finishes the reply in the file."]);
        assert.deepEqual(reports, []);
    });

    it("stop asks the daemon to cancel the note's turn by the name it was sent under, even after a rename", async () => {
        const { ws, daemon, manager } = setup();
        const view = ws.open("Chats/g.md", "Q?\n");
        const sse = new SseScript();
        daemon.on("POST /v1/chat/stream", sse.response).on("POST /v1/chat/cancel", json(200, { cancelled: true }));
        const sent = manager.send("Chats/g.md", view.asView(), "save");
        await settle();
        manager.rename("Chats/g.md", "Chats/renamed.md");
        assert.deepEqual(manager.busyPaths, ["Chats/renamed.md"]);
        assert.equal(await manager.stop("Chats/renamed.md"), true);
        assert.deepEqual(daemon.requestsTo("POST /v1/chat/cancel")[0]!.body, { filename: "Chats/g.md" });
        sse.end();
        await sent;
        assert.deepEqual(manager.busyPaths, []);
    });

    it("asks for the default agent only for notes that name none", async () => {
        const { ws, daemon, manager } = setup({ defaultAgent: "gpt" });
        daemon.on("POST /v1/chat/stream", json(400, { error: { code: "no_agent", message: "x" } }));
        const a = ws.open("Chats/h.md", "Q?\n");
        const b = ws.open("Chats/i.md", "---\nagent: assistant\n---\nQ?\n");
        await manager.send("Chats/h.md", a.asView(), "save");
        await manager.send("Chats/i.md", b.asView(), "save");
        assert.deepEqual(
            daemon.requests.map((r) => (r.body as { agent?: string }).agent),
            ["gpt", undefined],
        );
    });

    it("on unload, puts what arrived in place, saves it, then closes the stream", async () => {
        const { ws, daemon, manager, saved } = setup();
        const view = ws.open("Chats/j.md", "Q?\n");
        const sse = new SseScript();
        daemon.on("POST /v1/chat/stream", sse.response);
        const sent = manager.send("Chats/j.md", view.asView(), "save");
        await settle();
        sse.send(...turnEvents("Q?\n", ["Half way"]).slice(0, 3));
        await settle();
        await manager.unload();
        assert.ok(view.doc.startsWith("Q?\n\n### Assistant:\n\nHalf"));
        assert.deepEqual(saved, ["Chats/j.md"]);
        assert.equal(daemon.requests[0]!.signal?.aborted, true, "the stream is closed");
        assert.equal(await sent, null, "an aborted turn reports nothing");
    });
});
