/** The other `lodge` commands (agents, token, install-plugin, doctor) and a turn on a configured agent. */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import YAML from "yaml";
import { defaultConfig, scratch, startDaemon } from "../helpers/daemon";
import { call } from "../helpers/client";
import { lodge } from "../helpers/cli";
import { FakeLlm } from "../fakes/fake-llm";

describe("lodge CLI", () => {
    describe("auto-detected agents", () => {
        let ollama: Server | null = null;
        afterEach(() => new Promise((resolve) => (ollama ? ollama.close(resolve) : resolve(undefined))).then(() => (ollama = null)));

        it("finds an Anthropic key, an OpenAI base URL, Ollama on 11434 and claude on PATH, first one the default", async () => {
            const bin = scratch();
            writeFileSync(join(bin, "claude"), "#!/bin/sh\necho '2.0.0 (Claude Code)'\n");
            chmodSync(join(bin, "claude"), 0o755);
            ollama = createServer((req, res) => {
                res.setHeader("content-type", "application/json");
                res.end(JSON.stringify({ object: "list", data: [{ id: "llama3.2:latest" }] }));
            });
            const ollamaUp = await new Promise<boolean>((resolve) => {
                ollama!.once("error", () => resolve(false));
                ollama!.listen(11434, "127.0.0.1", () => resolve(true));
            });
            const dir = scratch();
            const r = await lodge(["agents", "--data", dir], {
                ANTHROPIC_API_KEY: "sk-ant-detect-123456",
                OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
                PATH: `${bin}:/usr/bin:/bin`,
            });
            assert.equal(r.code, 0, r.err);
            const lines = r.out.trim().split("\n");
            assert.match(lines[0]!, /^claude\tanthropic\tclaude-sonnet-5-5\t\[default\]$/);
            assert.match(r.out, /^gpt\topenai\t.* at http:\/\/127\.0\.0\.1:1\/v1/m);
            if (ollamaUp) assert.match(r.out, /^local\topenai\tllama3\.2:latest at http:\/\/127\.0\.0\.1:11434\/v1/m);
            assert.match(r.out, /^claude-code\tclaude-code/m);
            assert.match(r.out, /auto-detected/);
            assert.ok(!r.out.includes("sk-ant-detect-123456"));
        });

        it("says how to add an agent when none is found", async () => {
            const r = await lodge(["agents", "--data", scratch()]);
            assert.match(
                r.out,
                /^no agents: set ANTHROPIC_API_KEY or OPENAI_API_KEY, start Ollama, install Claude Code, or add an agent to .*config\.yaml$/m,
            );
        });
    });

    describe("token", () => {
        it("creates (token alone on the last line), lists and revokes, with the daemon running", async () => {
            const d = await startDaemon();
            try {
                const created = await lodge(["token", "create", "laptop", "--scope", "messages", "--data", d.data]);
                assert.equal(created.code, 0, created.err);
                const token = created.out.trimEnd().split("\n").at(-1)!;
                assert.match(token, /^lodge_[A-Za-z0-9_-]{40,}$/);
                assert.equal((await call({ url: d.url, token }, "/v1/agents")).status, 200);
                const list = await lodge(["token", "list", "--data", d.data]);
                assert.match(list.out, /^laptop\tmessages\t/m);
                assert.match(list.out, /^obsidian\tmessages\t/m);
                assert.ok(!list.out.includes(token));
                assert.equal((await lodge(["token", "create", "laptop", "--data", d.data])).code, 1, "names are unique");
                const defaults = await lodge(["token", "create", "other", "--data", d.data]);
                assert.match((await lodge(["token", "list", "--data", d.data])).out, /^other\tmessages,memory\t/m, defaults.err);
                assert.equal((await lodge(["token", "revoke", "laptop", "--data", d.data])).code, 0);
                assert.equal((await call({ url: d.url, token }, "/v1/agents")).status, 401);
                const again = await lodge(["token", "revoke", "laptop", "--data", d.data]);
                assert.equal(again.code, 1);
                assert.match(again.err, /no token named "laptop"/);
                assert.equal((await lodge(["token", "create", "bad", "--scope", "root", "--data", d.data])).code, 1);
            } finally {
                await d.stop();
            }
        });

        it("stores only hashes", async () => {
            const dir = scratch();
            const token = (await lodge(["token", "create", "t", "--data", dir])).out.trimEnd().split("\n").at(-1)!;
            const db = readFileSync(join(dir, "lodge.db"));
            assert.equal(db.includes(Buffer.from(token)), false);
        });
    });

    describe("install-plugin", () => {
        it("refuses a data.json that is not JSON before copying anything", async () => {
            const vault = scratch();
            const pluginDir = join(vault, ".obsidian", "plugins", "lodge");
            mkdirSync(pluginDir, { recursive: true });
            writeFileSync(join(pluginDir, "data.json"), "{ not json");
            const r = await lodge(["install-plugin", "--vault", vault, "--data", scratch()]);
            assert.equal(r.code, 1);
            assert.match(r.err, /data\.json is not valid JSON/);
            assert.ok(!r.err.includes("    at "), "a sentence, not a stack trace");
            assert.equal(existsSync(join(pluginDir, "main.js")), false);
        });

        it("copies main.js, manifest.json, styles.css and writes daemonUrl and a fresh token into data.json, keeping other keys", async () => {
            const d = await startDaemon();
            try {
                const vault = scratch();
                const pluginDir = join(vault, ".obsidian", "plugins", "lodge");
                mkdirSync(pluginDir, { recursive: true });
                writeFileSync(join(pluginDir, "data.json"), JSON.stringify({ chatFolder: "Talks", token: "old" }));
                const r = await lodge(["install-plugin", "--vault", vault, "--data", d.data]);
                assert.equal(r.code, 0, r.err);
                for (const f of ["main.js", "manifest.json", "styles.css"]) assert.ok(existsSync(join(pluginDir, f)), f);
                assert.equal(JSON.parse(readFileSync(join(pluginDir, "manifest.json"), "utf8")).id, "lodge");
                const data = JSON.parse(readFileSync(join(pluginDir, "data.json"), "utf8"));
                assert.equal(data.chatFolder, "Talks");
                assert.equal(data.daemonUrl, d.url, "the running daemon's URL, from daemon.json");
                assert.notEqual(data.token, "old");
                assert.equal((await call({ url: d.url, token: data.token }, "/v1/agents")).status, 200);
                const withUrl = await lodge(["install-plugin", "--vault", vault, "--data", d.data, "--url", "http://127.0.0.1:9999"]);
                assert.equal(withUrl.code, 0);
                assert.equal(JSON.parse(readFileSync(join(pluginDir, "data.json"), "utf8")).daemonUrl, "http://127.0.0.1:9999");
                assert.equal((await call({ url: d.url, token: data.token }, "/v1/agents")).status, 401, "reinstalling rotates the token");
            } finally {
                await d.stop();
            }
        });
    });

    describe("doctor", () => {
        it("exits 0 when git, data, database, agents and port are well", async () => {
            const fake = await FakeLlm.start();
            const d = await startDaemon({ fake });
            try {
                const r = await lodge(["doctor", "--data", d.data, "--config", d.configPath]);
                assert.equal(r.code, 0, r.out + r.err);
                assert.match(r.out, /^ok\s+git: git version/m);
                assert.match(r.out, /^ok\s+database: integrity_check ok/m);
                assert.match(r.out, /^ok\s+agent assistant: /m);
                assert.match(r.out, /^ok\s+port: a daemon answers at/m);
                assert.match(r.out, /all is well$/m);
            } finally {
                await d.stop();
                await fake.close();
            }
        });

        it("names each problem and exits 1: a missing key, an unreachable server, a missing claude", async () => {
            const dir = scratch();
            writeFileSync(
                join(dir, "config.yaml"),
                YAML.stringify({
                    agents: {
                        keyless: { backend: "anthropic", api_key_env: "NOPE_KEY" },
                        down: { backend: "openai", base_url: "http://127.0.0.1:1/v1" },
                        cc: { backend: "claude-code", claude_path: join(dir, "no-such-claude") },
                    },
                }),
            );
            const r = await lodge(["doctor", "--data", dir]);
            assert.equal(r.code, 1);
            assert.match(r.out, /^PROBLEM agent keyless: NOPE_KEY is not set/m);
            assert.match(r.out, /^PROBLEM agent down: .*cannot be reached/m);
            assert.match(r.out, /^PROBLEM agent cc: .*no-such-claude/m);
            assert.match(r.out, /^3 problems to fix$/m);
        });
    });

    it("config with agents pointed at the fake runs a turn on the gpt agent by frontmatter", async () => {
        const fake = await FakeLlm.start();
        const d = await startDaemon({ fake, config: { ...defaultConfig(fake), default_agent: "gpt" } });
        try {
            writeFileSync(join(d.vault, "x.md"), "hello");
            const r = await call(d, "/v1/chat", { body: { filename: "x" } });
            assert.equal(r.body.agent, "gpt");
            assert.equal(fake.requests.at(-1)!.api, "openai");
        } finally {
            await d.stop();
            await fake.close();
        }
    });
});
