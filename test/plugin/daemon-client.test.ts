import assert from "node:assert/strict";
import { DaemonClient, DaemonError, DaemonUnreachableError } from "../../plugin/daemon-client";
import type { StreamEvent } from "../../shared/protocol/events";
import { FakeDaemon, json, settle, SseScript } from "./helpers/fake-daemon";

function client(daemon: FakeDaemon, url = "http://127.0.0.1:8765"): DaemonClient {
    return new DaemonClient({ baseUrl: () => url, token: () => "secret-token", transport: daemon.transport });
}

const EVENTS: StreamEvent[] = [
    { event: "start", data: { agent: "a", conversation_id: "c", anchor: 3 } },
    { event: "delta", data: { at: 0, delete: 0, insert: "\n\n### Assistant:\n\n" } },
    { event: "delta", data: { at: 18, delete: 0, insert: 'héllo 😀 "quoted"\nline' } },
    { event: "done", data: { status: "ok", agent: "a", conversation_id: "c", reply: "r", frontmatter: "", new_content: "n" } },
];

describe("DaemonClient", () => {
    for (const chunkSize of [1, 2, 7, 64]) {
        it(`decodes the event stream whatever the chunk boundaries (${chunkSize}-character chunks)`, async () => {
            const daemon = new FakeDaemon();
            const sse = new SseScript(chunkSize);
            daemon.on("POST /v1/chat/stream", sse.response);
            const events = await client(daemon).stream(
                { filename: "a.md", content: "Hi?", writer: "editor" },
                new AbortController().signal,
            );
            sse.raw(": ping\r\n\r\n");
            sse.send(...EVENTS);
            sse.end();
            const got: StreamEvent[] = [];
            for await (const e of events) got.push(e);
            assert.deepEqual(got, EVENTS);
        });
    }

    it("turns the daemon's JSON error into a DaemonError with its code, message and status", async () => {
        const daemon = new FakeDaemon().on(
            "POST /v1/chat/stream",
            json(404, { error: { code: "unknown_agent", message: "No agent named nobody." } }),
        );
        await assert.rejects(client(daemon).stream({ filename: "a.md" }, new AbortController().signal), (err: unknown) => {
            assert.ok(err instanceof DaemonError);
            assert.deepEqual([err.code, err.message, err.status], ["unknown_agent", "No agent named nobody.", 404]);
            return true;
        });
    });

    it("describes an answer that is not the daemon's JSON by its status", async () => {
        const daemon = new FakeDaemon().on("GET /v1/agents", new Response("Bad Gateway", { status: 502 }));
        await assert.rejects(client(daemon).agents(), { name: "DaemonError", message: "The daemon answered HTTP 502: Bad Gateway." });
    });

    it("says where it looked when nothing answers", async () => {
        const daemon = new FakeDaemon();
        daemon.down = true;
        await assert.rejects(client(daemon, "http://127.0.0.1:9").health(), (err: unknown) => {
            assert.ok(err instanceof DaemonUnreachableError);
            assert.match(err.message, /not reachable at http:\/\/127\.0\.0\.1:9\./);
            return true;
        });
    });

    it("sends the token to every route but /healthz, and JSON bodies as JSON", async () => {
        const daemon = new FakeDaemon()
            .on("GET /healthz", json(200, { status: "ok", version: "1.2.3" }))
            .on("POST /v1/chat/cancel", json(200, { cancelled: true }));
        const c = client(daemon);
        assert.deepEqual(await c.health(), { status: "ok", version: "1.2.3" });
        assert.deepEqual(await c.cancel("Chats/a.md"), { cancelled: true });
        const [health, cancel] = daemon.requests;
        assert.equal(health!.headers.get("authorization"), null);
        assert.equal(cancel!.headers.get("authorization"), "Bearer secret-token");
        assert.equal(cancel!.headers.get("content-type"), "application/json");
        assert.deepEqual(cancel!.body, { filename: "Chats/a.md" });
    });

    it("reads /v1/config with its ETag: 304 is not modified, a refusal is the daemon's error", async () => {
        const config = { version: "1", agents: [], default_agent: null, skills: {} };
        const daemon = new FakeDaemon().on(
            "GET /v1/config",
            json(200, config, { ETag: '"v1"' }),
            new Response(null, { status: 304 }),
            json(401, { error: { code: "unauthorized", message: "bad token" } }),
        );
        const c = client(daemon);
        assert.deepEqual(await c.config(), { status: "ok", config, etag: '"v1"' });
        assert.equal(daemon.requests[0]!.headers.get("if-none-match"), null);
        assert.deepEqual(await c.config('"v1"'), { status: "not_modified" });
        assert.equal(daemon.requests[1]!.headers.get("if-none-match"), '"v1"');
        await assert.rejects(c.config('"v1"'), (err: DaemonError) => err.status === 401 && err.code === "unauthorized");
    });

    it("stops reading when the request is aborted", async () => {
        const daemon = new FakeDaemon();
        const sse = new SseScript();
        daemon.on("POST /v1/chat/stream", sse.response);
        const abort = new AbortController();
        const events = await client(daemon).stream({ filename: "a.md" }, abort.signal);
        sse.send(EVENTS[0]!);
        const iterator = events[Symbol.asyncIterator]();
        assert.deepEqual((await iterator.next()).value, EVENTS[0]);
        const next = iterator.next();
        await settle();
        abort.abort();
        await assert.rejects(next, { name: "AbortError" });
    });
});
