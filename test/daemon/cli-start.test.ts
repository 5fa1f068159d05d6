/** `lodge start`: what a person sees on the terminal and finds on disk, and the configs it refuses. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { LODGE_BIN, scratch, testEnv } from "../helpers/daemon";
import { call, eventually } from "../helpers/client";
import { lodge } from "../helpers/cli";

/** Runs `lodge start` until its start-up lines are out, then stops it. */
async function startLines(args: string[], env: Record<string, string>, cwd: string): Promise<{ out: string; code: number | null }> {
    const child = spawn(process.execPath, [LODGE_BIN, "start", ...args], { env: testEnv(env), cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (out += s));
    await eventually(() => /plugin token:/.test(out) || child.exitCode !== null, 15_000, "start-up");
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) =>
        child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", resolve),
    );
    return { out, code };
}

describe("lodge CLI: start", () => {
    it("on defaults: ./vault with a welcome chat note, $LODGE_HOME data, one line per fact, token file 0600, daemon.json", async () => {
        const cwd = scratch();
        const home = join(cwd, "home");
        const { out, code } = await startLines(["--port", "0"], { LODGE_HOME: home }, cwd);
        assert.equal(code, 0);
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
        assert.ok(url, out);
        assert.match(out, new RegExp(`^vault: ${join(cwd, "vault")}`, "m"));
        assert.match(out, new RegExp(`^data: ${home}$`, "m"));
        assert.match(out, /no agents: set ANTHROPIC_API_KEY/);
        assert.match(out, new RegExp(`^plugin token: in ${join(home, "plugin-token")}$`, "m"));
        const token = readFileSync(join(home, "plugin-token"), "utf8").trim();
        assert.ok(!out.includes(token), "the token itself is not printed");
        assert.equal(statSync(join(home, "plugin-token")).mode & 0o777, 0o600);
        assert.match(readFileSync(join(cwd, "vault", "Chats", "Welcome.md"), "utf8"), /### User:\n\n\S/);
    });

    it("writes daemon.json with url, pid and version while running, and answers no_agent without agents", async () => {
        const dir = scratch();
        const child = spawn(
            process.execPath,
            [LODGE_BIN, "start", "--port", "0", "--data", join(dir, "data"), "--vault", join(dir, "v"), "--print-token"],
            { env: testEnv(), stdio: ["ignore", "pipe", "pipe"] },
        );
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
        await eventually(() => /plugin token: lodge_/.test(out), 15_000, "start-up");
        const info = JSON.parse(readFileSync(join(dir, "data", "daemon.json"), "utf8"));
        assert.deepEqual(Object.keys(info).sort(), ["pid", "url", "version"]);
        assert.equal(info.pid, child.pid);
        const token = /plugin token: (\S+)/.exec(out)![1]!;
        const r = await call({ url: info.url, token }, "/v1/chat", { body: { filename: "Chats/Welcome" } });
        assert.equal(r.status, 400);
        assert.equal(r.body.error.code, "no_agent");
        assert.match(r.body.error.message, /ANTHROPIC_API_KEY/);
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("exit", resolve));
    });

    it("stops on a config error and lists every problem with file and key", async () => {
        const dir = scratch();
        const config = join(dir, "config.yaml");
        writeFileSync(
            config,
            YAML.stringify({
                default_agent: "missing",
                agents: { a: { backend: "magic" }, b: { backend: "openai", max_tokens: -1, colour: "red", api_key: "sk-x" } },
                chats: { watch: "yes" },
                extra: 1,
            }),
        );
        const r = await lodge(["start", "--port", "0", "--data", join(dir, "d"), "--vault", join(dir, "v"), "--config", config]);
        assert.equal(r.code, 1);
        for (const fragment of [
            "default_agent",
            "agents.a.backend",
            "agents.b.max_tokens",
            "agents.b.colour",
            "agents.b.api_key",
            "chats.watch",
            "extra",
        ]) {
            assert.match(r.err, new RegExp(`${config}: ${fragment.replace(/\./g, "\\.")}`), fragment);
        }
        assert.equal(existsSync(join(dir, "v")), false, "nothing was created");
    });

    it("refuses a --config file that does not exist instead of guessing agents", async () => {
        const dir = scratch();
        const r = await lodge(["start", "--port", "0", "--data", dir, "--vault", join(dir, "v"), "--config", join(dir, "nope.yaml")]);
        assert.equal(r.code, 1);
        assert.match(r.err, /nope\.yaml: no such file/);
    });

    it("bound to every address, advertises a loopback URL that answers", async () => {
        const dir = scratch();
        writeFileSync(join(dir, "c.yaml"), YAML.stringify({ agents: {}, http: { allowed_hosts: ["desktop.example"] } }));
        const { out, code } = await startLines(
            ["--port", "0", "--host", "0.0.0.0", "--data", join(dir, "d"), "--vault", join(dir, "v"), "--config", join(dir, "c.yaml")],
            {},
            dir,
        );
        assert.equal(code, 0);
        assert.match(out, /listening on http:\/\/127\.0\.0\.1:\d+/);
    });

    it("refuses to bind beyond loopback without http.allowed_hosts, and creates nothing", async () => {
        const dir = scratch();
        for (const host of ["0.0.0.0", "::", "192.0.2.7"]) {
            const r = await lodge(["start", "--port", "0", "--host", host, "--data", join(dir, "d"), "--vault", join(dir, "v")]);
            assert.equal(r.code, 1, host);
            assert.match(
                r.err,
                new RegExp(
                    `^lodge: --host ${host.replace(/\./g, "\\.")} lets other machines reach the daemon, but no http\\.allowed_hosts is configured`,
                ),
                r.err,
            );
            assert.equal(existsSync(join(dir, "v")), false, "no vault was created");
        }
    });

    it("refuses a malformed config file with the YAML problem", async () => {
        const dir = scratch();
        writeFileSync(join(dir, "c.yaml"), "agents: [unclosed\n");
        const r = await lodge(["start", "--port", "0", "--data", dir, "--vault", join(dir, "v"), "--config", join(dir, "c.yaml")]);
        assert.equal(r.code, 1);
        assert.match(r.err, /c\.yaml: not valid YAML/);
    });
});
