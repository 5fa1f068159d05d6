import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { defaultConfig, LODGE_BIN, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { call } from "../helpers/client";
import { FakeLlm } from "../fakes/fake-llm";

/** A raw request, so the Host header can be anything. */
function rawGet(
    port: number,
    path: string,
    headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path, method: headers["x-method"] ?? "GET", headers }, (res) => {
            let body = "";
            res.setEncoding("utf8")
                .on("data", (c: string) => (body += c))
                .on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on("error", reject);
        req.end();
    });
}

describe("HTTP surface", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({
            fake,
            config: {
                ...defaultConfig(fake),
                http: { max_body_mb: 1, allowed_hosts: ["lodge.test"], allowed_origins: ["http://127.0.0.1:5555"] },
            },
        });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    describe("authentication", () => {
        it("answers /healthz without a token", async () => {
            const r = await call(d, "/healthz", { token: null });
            assert.equal(r.status, 200);
            assert.equal(r.body.status, "ok");
            assert.match(r.body.version, /^\d+\.\d+\.\d+/);
        });

        it("refuses a missing or wrong token with 401 and the error shape", async () => {
            for (const token of [null, "lodge_not-a-real-token-at-all-000000"]) {
                const r = await call(d, "/v1/agents", { token });
                assert.equal(r.status, 401);
                assert.equal(r.body.error.code, "unauthorized");
                assert.equal(typeof r.body.error.message, "string");
            }
        });

        it("refuses a token without the messages scope with 403 forbidden", async () => {
            const out = execFileSync(process.execPath, [LODGE_BIN, "token", "create", "gitonly", "--scope", "memory", "--data", d.data], {
                encoding: "utf8",
            });
            const token = out.trim().split("\n").at(-1)!;
            const r = await call(d, "/v1/agents", { token });
            assert.equal(r.status, 403);
            assert.equal(r.body.error.code, "forbidden");
        });

        it("lists agents with the plugin token", async () => {
            const r = await call(d, "/v1/agents");
            assert.equal(r.status, 200);
            assert.equal(r.body.default_agent, "assistant");
            assert.deepEqual(
                r.body.agents.map((a: any) => [a.name, a.backend, a.model]),
                [
                    ["assistant", "anthropic", "claude-test"],
                    ["gpt", "openai", "gpt-test"],
                ],
            );
            assert.ok(r.body.agents.every((a: any) => typeof a.description === "string"));
        });
    });

    describe("Host allow-list (DNS rebinding)", () => {
        it("refuses a foreign Host on every route, /healthz included", async () => {
            for (const path of ["/healthz", "/v1/agents"]) {
                const r = await rawGet(d.port, path, { host: `evil.example:${d.port}`, authorization: `Bearer ${d.token}` });
                assert.equal(r.status, 403, path);
                assert.equal(JSON.parse(r.body).error.code, "host_not_allowed");
            }
        });

        it("accepts 127.0.0.1, localhost, [::1] and configured names with the port", async () => {
            for (const host of [`127.0.0.1:${d.port}`, `localhost:${d.port}`, `[::1]:${d.port}`, `lodge.test:${d.port}`]) {
                assert.equal((await rawGet(d.port, "/healthz", { host })).status, 200, host);
            }
            for (const host of [`localhost:${d.port + 1}`, "localhost", "127.0.0.1", `127.0.0.1.evil.example:${d.port}`]) {
                assert.equal((await rawGet(d.port, "/healthz", { host })).status, 403, host);
            }
        });
    });

    describe("CORS", () => {
        it("echoes one allowed origin and answers preflights with 204", async () => {
            for (const origin of [
                "app://obsidian.md",
                "capacitor://localhost",
                "http://localhost",
                "https://localhost",
                "http://127.0.0.1:5555",
            ]) {
                const pre = await rawGet(d.port, "/v1/chat/stream", {
                    host: `127.0.0.1:${d.port}`,
                    origin,
                    "access-control-request-method": "POST",
                    "access-control-request-headers": "authorization, content-type",
                    "x-method": "OPTIONS",
                });
                assert.equal(pre.status, 204, origin);
                assert.equal(pre.headers["access-control-allow-origin"], origin);
                assert.match(String(pre.headers["access-control-allow-headers"]), /Authorization/);
                assert.match(String(pre.headers["access-control-allow-headers"]), /Content-Type/);
                const get = await rawGet(d.port, "/healthz", { host: `127.0.0.1:${d.port}`, origin });
                assert.equal(get.headers["access-control-allow-origin"], origin);
            }
        });

        it("gives other origins no CORS headers", async () => {
            const r = await rawGet(d.port, "/healthz", { host: `127.0.0.1:${d.port}`, origin: "https://evil.example" });
            assert.equal(r.headers["access-control-allow-origin"], undefined);
            const pre = await rawGet(d.port, "/v1/chat", {
                host: `127.0.0.1:${d.port}`,
                origin: "https://evil.example",
                "access-control-request-method": "POST",
                "x-method": "OPTIONS",
            });
            assert.equal(pre.headers["access-control-allow-origin"], undefined);
            assert.equal(pre.headers["access-control-allow-headers"], undefined);
        });
    });

    describe("request bodies", () => {
        it("answers 413 at once for a body over http.max_body_mb and writes nothing", async () => {
            const content = `${"x".repeat(1_200_000)}\n`;
            const r = await call(d, "/v1/chat", { body: { filename: "big", content } });
            assert.equal(r.status, 413);
            assert.equal(r.body.error.code, "payload_too_large");
            assert.equal(existsSync(join(d.vault, "big.md")), false);
        });

        it("refuses a body that is not UTF-8 and writes nothing", async () => {
            const body = Buffer.concat([Buffer.from('{"filename":"latin","content":"caf'), Buffer.from([0xe9, 0xff]), Buffer.from('"}')]);
            const res = await fetch(`${d.url}/v1/chat`, {
                method: "POST",
                headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json" },
                body,
            });
            assert.equal(res.status, 400);
            assert.match((await res.json()).error.message, /UTF-8/);
            assert.equal(existsSync(join(d.vault, "latin.md")), false);
        });

        it("refuses malformed JSON and wrong field types with 400 bad_request", async () => {
            for (const body of [
                "{not json",
                JSON.stringify([1]),
                JSON.stringify({ filename: 3 }),
                JSON.stringify({ filename: "a", content: 1 }),
                JSON.stringify({ filename: "a", writer: "nobody" }),
            ]) {
                const r = await call(d, "/v1/chat/stream", { body });
                assert.equal(r.status, 400, body);
                assert.equal(r.body.error.code, "bad_request", body);
            }
        });
    });

    describe("paths", () => {
        it("refuses every path that leaves the vault or enters a hidden folder, and writes nothing", async () => {
            const outside = scratch("lodge-outside-");
            writeFileSync(join(outside, "secret.md"), "secret\n");
            mkdirSync(join(d.vault, "links"), { recursive: true });
            symlinkSync(outside, join(d.vault, "links", "out"));
            symlinkSync(join(outside, "secret.md"), join(d.vault, "links", "secret.md"));
            const bad = [
                "../escape",
                "Chats/../../escape",
                "/etc/passwd",
                `${outside}/x`,
                "a\u0000b",
                ".obsidian/plugins/x",
                "notes/.git/config",
                ".trash/old",
                "links/out/new",
                "links/secret",
                "..\\..\\windows",
                "C:/Windows/x",
            ];
            for (const filename of bad) {
                for (const route of ["/v1/chat", "/v1/chat/stream", "/v1/chat/cancel"]) {
                    const r = await call(d, route, { body: { filename, content: "hello\n" } });
                    assert.equal(r.status, 400, `${route} ${JSON.stringify(filename)}`);
                    assert.equal(r.body.error.code, "path_outside_vault", `${route} ${JSON.stringify(filename)}`);
                }
            }
            assert.equal(readFileSync(join(outside, "secret.md"), "utf8"), "secret\n");
            assert.equal(existsSync(join(outside, "new.md")), false);
            assert.equal(existsSync(join(d.vault, "..", "escape.md")), false);
        });

        it("answers 404 not_found for a missing note sent without content", async () => {
            const r = await call(d, "/v1/chat", { body: { filename: "nowhere/none" } });
            assert.equal(r.status, 404);
            assert.equal(r.body.error.code, "not_found");
        });

        it("answers JSON 404 for unknown routes", async () => {
            const r = await call(d, "/v1/nothing");
            assert.equal(r.status, 404);
            assert.equal(r.body.error.code, "not_found");
        });
    });
});
