/**
 * The CLI as people meet it (issue 8): a taken port, no git, broken YAML, doctor's options and JSON,
 * Claude Code's login, deprecated models, install-plugin's advice. Every failure is a sentence.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import YAML from "yaml";
import { lodge } from "../helpers/cli";
import { ROOT, scratch, startDaemon } from "../helpers/daemon";
import { FakeLlm } from "../fakes/fake-llm";

const RAW = /EADDRINUSE|ENOENT|ENOTDIR|EACCES|\n\s+at /;

function listen(): Promise<{ server: Server; port: number }> {
    return new Promise((resolve) => {
        const server = createServer();
        server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
    });
}

describe("lodge CLI messages", () => {
    describe("start", () => {
        it("on a taken port suggests --port and names who holds it", async () => {
            const { server, port } = await listen();
            try {
                const dir = scratch();
                const r = await lodge(["start", "--port", String(port), "--data", join(dir, "d"), "--vault", join(dir, "v")]);
                assert.equal(r.code, 1);
                assert.equal(
                    r.err,
                    `lodge: port ${port} is in use (by another program); choose another with --port, or --port 0 for any free port\n`,
                );
                assert.doesNotMatch(r.err + r.out, RAW);
            } finally {
                server.close();
            }
            const d = await startDaemon();
            try {
                const same = await lodge([
                    "start",
                    "--port",
                    String(d.port),
                    "--data",
                    d.data,
                    "--vault",
                    d.vault,
                    "--config",
                    d.configPath,
                ]);
                assert.equal(same.code, 1);
                // Its own data folder: the daemon's lock answers first (docs/daemon.md).
                assert.equal(same.err, `lodge: another Lodge daemon (pid ${d.child.pid}, ${d.url}) is using ${d.data}\n`);
                const other = await lodge(["start", "--port", String(d.port), "--data", scratch(), "--vault", join(scratch(), "v")]);
                assert.match(other.err, /is in use \(by a Lodge daemon of another data folder\)/);
            } finally {
                await d.stop();
            }
        });

        it("without git warns at start, and doctor fails on it", async () => {
            const empty = scratch(); // PATH with no git in it; node runs by its absolute path
            const dir = scratch();
            const d = await startDaemon({ env: { PATH: empty }, data: join(dir, "d"), vault: join(dir, "v") });
            try {
                assert.match(d.stdout(), /^warning: install git: agent memory needs it$/m);
            } finally {
                await d.stop();
            }
            const r = await lodge(["doctor", "--data", join(dir, "d")], { PATH: empty });
            assert.equal(r.code, 1);
            assert.match(r.out, /^PROBLEM git: install git: agent memory needs it$/m);
            assert.doesNotMatch(r.out + r.err, RAW);
        });

        it("turns a system error into a sentence, never a code or a stack", async () => {
            const dir = scratch();
            writeFileSync(join(dir, "file"), "");
            const r = await lodge(["start", "--port", "0", "--data", join(dir, "file", "data"), "--vault", join(dir, "v")]);
            assert.equal(r.code, 1);
            assert.match(r.err, /^lodge: .*file.* /);
            assert.doesNotMatch(r.err, RAW);
        });

        it("shows YAML errors with file, line, column and the line, one per line, counted right", async () => {
            const dir = scratch();
            const one = join(dir, "one.yaml");
            writeFileSync(one, "default_agent: a\nagents: [unclosed\n");
            const r1 = await lodge(["start", "--port", "0", "--data", dir, "--vault", join(dir, "v"), "--config", one]);
            assert.equal(r1.code, 1);
            const lines1 = r1.err.trimEnd().split("\n");
            assert.equal(lines1[0], "lodge: config: 1 problem:");
            assert.equal(lines1.length, 2, r1.err);
            assert.match(
                lines1[1]!,
                new RegExp(`^  - ${one}: not valid YAML at line 2, column \\d+: .+; the line reads: "agents: \\[unclosed"$`),
            );
            const two = join(dir, "two.yaml");
            writeFileSync(two, "agents:\n  a:\n    backend: openai\n   model: x\nchats: [\n");
            const r2 = await lodge(["start", "--port", "0", "--data", dir, "--vault", join(dir, "v"), "--config", two]);
            const lines2 = r2.err.trimEnd().split("\n");
            assert.match(lines2[0]!, /^lodge: config: [2-9] problems:$/);
            assert.equal(lines2.length - 1, Number(/(\d+) problems/.exec(lines2[0]!)![1]), "the count matches the lines");
            assert.match(r2.err, /at line 4, column \d+: .*; the line reads: " {3}model: x"/);
        });

        it("names a deprecated model at start and in doctor, without failing either", async () => {
            const fake = await FakeLlm.start();
            const agent = { backend: "anthropic", base_url: fake.url, api_key_env: "LODGE_TEST_KEY", memory: false };
            const d = await startDaemon({ fake, config: { agents: { old: { ...agent, model: "claude-sonnet-4-5" }, fresh: agent } } });
            try {
                assert.match(
                    d.stdout(),
                    /^warning: agent old: the model claude-sonnet-4-5 is deprecated \(end of life [^)]+\); set a newer model in its config$/m,
                );
                assert.doesNotMatch(d.stdout(), /agent fresh: the model/, "the default model is not deprecated");
                assert.match(d.stdout(), /^agent: fresh \(anthropic, claude-sonnet-5-5\)$/m);
                const r = await lodge(["doctor", "--data", d.data, "--config", d.configPath]);
                assert.equal(r.code, 0, r.out);
                assert.match(r.out, /^warning agent old: the model claude-sonnet-4-5 is deprecated/m);
                const json = JSON.parse((await lodge(["agents", "--data", d.data, "--config", d.configPath, "--json"])).out);
                assert.match(json.agents.find((a: any) => a.name === "old").deprecated, /deprecated/);
                assert.equal(json.agents.find((a: any) => a.name === "fresh").deprecated, null);
            } finally {
                await d.stop();
                await fake.close();
            }
        });
    });

    describe("doctor", () => {
        it("knows its own daemon, takes --port and --url, and prints stable JSON", async () => {
            const d = await startDaemon();
            try {
                const own = JSON.parse((await lodge(["doctor", "--data", d.data, "--config", d.configPath, "--json"])).out);
                assert.deepEqual(Object.keys(own).sort(), ["checks", "ok", "problems"]);
                assert.equal(own.ok, true);
                assert.equal(own.problems, 0);
                for (const c of own.checks) assert.deepEqual(Object.keys(c).sort(), ["detail", "name", "status"]);
                const port = own.checks.find((c: any) => c.name === "port");
                assert.equal(port.status, "ok");
                assert.equal(port.detail, `a daemon answers at ${d.url} (this data folder's, pid ${d.child.pid})`);
                const elsewhere = await lodge(["doctor", "--data", scratch(), "--port", String(d.port)]);
                assert.match(
                    elsewhere.out,
                    new RegExp(
                        `^PROBLEM port: port ${d.port} is in use \\(by a Lodge daemon of another data folder\\); choose another with --port`,
                        "m",
                    ),
                );
                const byUrl = await lodge(["doctor", "--data", scratch(), "--url", d.url]);
                assert.match(byUrl.out, new RegExp(`^ok\\s+port: a daemon answers at ${d.url}$`, "m"));
                const nothing = await lodge(["doctor", "--data", scratch(), "--url", "http://127.0.0.1:1"]);
                assert.match(
                    nothing.out,
                    /^PROBLEM port: no Lodge daemon answers at http:\/\/127\.0\.0\.1:1: start one with `lodge start`, or check --url$/m,
                );
                assert.doesNotMatch(
                    own.checks.map((c: any) => c.detail).join("\n") + elsewhere.out,
                    /\u001b\[/,
                    "no colours outside a terminal",
                );
            } finally {
                await d.stop();
            }
        });

        it("checks that Claude Code is logged in, not only that it runs (the real CLI, offline, in a scratch HOME)", async function () {
            this.timeout(60_000);
            const dir = scratch();
            mkdirSync(join(dir, "home"));
            writeFileSync(
                join(dir, "config.yaml"),
                YAML.stringify({ agents: { cc: { backend: "claude-code", claude_path: join(ROOT, "node_modules", ".bin", "claude") } } }),
            );
            // A loopback base URL where nothing listens: the CLI's preconnect stays on this machine.
            const env = { HOME: join(dir, "home"), ANTHROPIC_BASE_URL: "http://127.0.0.1:1" };
            const out = await lodge(["doctor", "--data", dir, "--port", "0"], env);
            assert.equal(out.code, 1);
            assert.match(
                out.out,
                /^PROBLEM agent cc: Claude Code at .*claude is not logged in: run `claude` once and log in with \/login, or set ANTHROPIC_API_KEY/m,
            );
            const inWithKey = await lodge(["doctor", "--data", dir, "--port", "0"], {
                ...env,
                ANTHROPIC_API_KEY: "sk-fake-key-for-auth-status",
            });
            assert.match(inWithKey.out, /^ok\s+agent cc: .*claude: 2\.1\.197 \(Claude Code\), logged in \(api_key\)$/m);
            assert.equal(inWithKey.code, 0, inWithKey.out);
        });
    });

    describe("JSON lists", () => {
        it("agents --json and token list --json have stable keys", async () => {
            const dir = scratch();
            const agents = JSON.parse((await lodge(["agents", "--data", dir, "--json"], { ANTHROPIC_API_KEY: "sk-ant-json-123456" })).out);
            assert.deepEqual(Object.keys(agents).sort(), ["agents", "auto_detected", "config_file", "default_agent"]);
            assert.deepEqual(Object.keys(agents.agents[0]).sort(), ["backend", "base_url", "deprecated", "description", "model", "name"]);
            assert.equal(agents.default_agent, "claude");
            assert.equal(agents.auto_detected, true);
            await lodge(["token", "create", "laptop", "--scope", "messages", "--data", dir]);
            const tokens = JSON.parse((await lodge(["token", "list", "--data", dir, "--json"])).out);
            assert.deepEqual(Object.keys(tokens), ["tokens"]);
            assert.deepEqual(Object.keys(tokens.tokens[0]).sort(), ["created_at", "name", "scopes"]);
            assert.deepEqual(tokens.tokens[0].scopes, ["messages"]);
            assert.deepEqual(JSON.parse((await lodge(["token", "list", "--data", scratch(), "--json"])).out), { tokens: [] });
        });
    });

    describe("install-plugin", () => {
        it("warns about a folder Obsidian never opened and ends with where to enable the plugin", async () => {
            const vault = scratch();
            const r = await lodge(["install-plugin", "--vault", vault, "--data", scratch()]);
            assert.equal(r.code, 0, r.err);
            assert.match(
                r.out,
                /^warning: .* has no \.obsidian folder: it is probably not an Obsidian vault, or Obsidian never opened it/m,
            );
            assert.equal(
                r.out.trimEnd().split("\n").at(-1),
                'in Obsidian: Settings → Community plugins, turn off Restricted mode, then enable "Lodge"',
            );
            const again = await lodge(["install-plugin", "--vault", vault, "--data", scratch()]);
            assert.doesNotMatch(again.out, /warning/, "a vault with .obsidian/ gets no warning");
        });
    });
});
