/**
 * `GET /openapi.json` (docs/cli.md) from the built daemon: no token needed, a valid OpenAPI 3.1 document
 * by @seriousme/openapi-schema-validator (a validator the project did not write), covering every route
 * of the contract.
 */
import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";

/** The contract's routes (docs/api.md, docs/memory.md, docs/frontends.md, docs/mcp.md, docs/daemon.md, docs/cli.md) as OpenAPI paths and methods. */
const CONTRACT: Array<[string, string]> = [
    ["get", "/healthz"],
    ["get", "/openapi.json"],
    ["get", "/v1/agents"],
    ["post", "/v1/chat"],
    ["post", "/v1/chat/stream"],
    ["get", "/v1/chat/stream"],
    ["post", "/v1/chat/cancel"],
    ["get", "/v1/conversations/search"],
    ["get", "/v1/conversations/count"],
    ["get", "/v1/conversations"],
    ["get", "/v1/conversations/{id}"],
    ["get", "/v1/conversations/{id}/branches"],
    ["get", "/v1/conversations/{id}/branches/{branch_id}"],
    ["get", "/v1/conversations/{id}/download"],
    ["get", "/v1/conversations/{id}/skills"],
    ["get", "/v1/config"],
    ["get", "/v1/events"],
    ["get", "/v1/git/{agent}/state.git/info/refs"],
    ["post", "/v1/git/{agent}/state.git/git-upload-pack"],
    ["post", "/v1/git/{agent}/state.git/git-receive-pack"],
    ["get", "/v1/models"],
    ["post", "/v1/chat/completions"],
    ["post", "/v1/mcp"],
    ["post", "/v1/mcp/{agent}"],
];

describe("GET /openapi.json (docs/api.md)", function () {
    this.timeout(30_000);
    let d: StartedDaemon;
    before(async () => (d = await startDaemon()));
    after(async () => d.stop());

    it("answers without a token with a valid OpenAPI 3.1 document covering every route of the contract", async () => {
        const res = await fetch(`${d.url}/openapi.json`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
        const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
        const result = await new Validator().validate(doc);
        assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1));
        assert.equal(doc.openapi, "3.1.0");
        for (const [method, path] of CONTRACT) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is described`);
    });

    it("describes what the routes answer: an unknown route stays 404, and every described route answers (never 404 for its own path)", async () => {
        const doc = (await (await fetch(`${d.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
        for (const [path, methods] of Object.entries(doc.paths)) {
            const concrete = path
                .replace("{agent}", "assistant")
                .replace("{id}", "00000000-0000-0000-0000-000000000000")
                .replace("{branch_id}", "x");
            const method = Object.keys(methods)[0]!.toUpperCase();
            const r = await fetch(`${d.url}${concrete}`, { method, headers: { authorization: `Bearer ${d.token}` } });
            // A described route exists: it may refuse the empty request, but not as an unknown path.
            const body = r.status === 404 ? await r.text() : "";
            assert.ok(r.status !== 404 || !/no route/i.test(body), `${method} ${concrete}: ${r.status} ${body}`);
        }
        assert.equal((await fetch(`${d.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${d.token}` } })).status, 404);
    });
});
