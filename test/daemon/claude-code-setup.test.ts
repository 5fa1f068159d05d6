/**
 * How a Claude Code turn is set up and torn down: the CLI's arguments from the agent's keys, the
 * sentences a person gets for a missing CLI or working folder (from the daemon and from `lodge
 * doctor`), and stopping a whole process tree.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { cliArgs, resolveSetup } from "../../daemon/backends/claude-code/cli-setup";
import { killTree } from "../../daemon/backends/claude-code/process-tree";
import { BackendFailure, type TurnInput } from "../../daemon/backends/types";
import { type AgentConfig, validateConfig } from "../../daemon/config";
import { eventually } from "../helpers/client";
import { LODGE_BIN, ROOT, scratch, testEnv } from "../helpers/daemon";

const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");

function agent(keys: Record<string, unknown> = {}): AgentConfig {
    return validateConfig({ agents: { cc: { backend: "claude-code", ...keys } } }, "config.yaml").agents.cc!;
}

function input(a: AgentConfig, extra: Partial<TurnInput> = {}): TurnInput {
    return {
        agent: a,
        model: a.model,
        system: "",
        maxTokens: 1,
        history: [],
        conversationId: "c",
        signal: new AbortController().signal,
        ...extra,
    };
}

function processes(marker: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
        execFile("ps", ["-A", "-o", "pid=,args="], (err: Error | null, out) =>
            err ? reject(err) : resolve(out.split("\n").filter((l) => l.includes(marker))),
        );
    });
}

describe("claude-code: CLI arguments", () => {
    it("always asks for partial stream-json, ends with the prompt after --, and adds model, permission mode, tools and system when set", async () => {
        const bare = await cliArgs(input(agent()), ["--session-id", "u"], scratch(), "-rf looks like an option");
        assert.deepEqual(bare, [
            "-p",
            "--output-format",
            "stream-json",
            "--verbose",
            "--include-partial-messages",
            "--session-id",
            "u",
            "--",
            "-rf looks like an option",
        ]);
        const a = agent({ model: "claude-fake-1", permission_mode: "acceptEdits", allowed_tools: ["Bash(git *)", "Read"] });
        const full = await cliArgs(input(a, { system: "Be brief.\n\n<memory>x</memory>" }), ["--resume", "/d/s.jsonl"], scratch(), "hi");
        assert.deepEqual(full.slice(5), [
            "--model",
            "claude-fake-1",
            "--permission-mode",
            "acceptEdits",
            "--allowedTools",
            "Bash(git *)",
            "Read",
            "--append-system-prompt",
            "Be brief.\n\n<memory>x</memory>",
            "--resume",
            "/d/s.jsonl",
            "--",
            "hi",
        ]);
        const long = await cliArgs(input(agent()), [], scratch(), "x".repeat(200_000));
        assert.ok(!long.includes("--"), "a prompt too long for one argument is left for stdin");
    });

    it("passes a system prompt too long for one argument through a file", async () => {
        const dir = scratch();
        const system = "m".repeat(200_000);
        const args = await cliArgs(input(agent(), { system }), [], dir, "hi");
        assert.deepEqual(args.slice(-4), ["--append-system-prompt-file", join(dir, "system-prompt.md"), "--", "hi"]);
        assert.equal(readFileSync(join(dir, "system-prompt.md"), "utf8"), system);
    });
});

describe("claude-code: setup failures a person can fix", () => {
    const failure = async (p: Promise<unknown>): Promise<string> => {
        try {
            await p;
        } catch (err) {
            assert.ok(err instanceof BackendFailure);
            return err.message;
        }
        throw new Error("no failure");
    };

    it("names a missing claude on PATH, and a missing working folder", async () => {
        const vault = scratch();
        assert.equal(
            await failure(resolveSetup(agent(), { PATH: scratch() }, vault)),
            "the Claude Code CLI is not on PATH: install Claude Code (npm i -g @anthropic-ai/claude-code) or set claude_path",
        );
        assert.equal(
            await failure(resolveSetup(agent({ claude_path: CLAUDE, cwd: "no/such" }), {}, vault)),
            `agent "cc": its working folder ${join(vault, "no/such")} does not exist: check cwd`,
        );
    });

    it("runs in the vault by default, resolves a relative cwd against it and ~ against HOME", async () => {
        const vault = scratch();
        mkdirSync(join(vault, "Projects"));
        const home = scratch();
        mkdirSync(join(home, "code"));
        assert.equal((await resolveSetup(agent({ claude_path: CLAUDE }), {}, vault)).cwd, vault);
        assert.equal((await resolveSetup(agent({ claude_path: CLAUDE, cwd: "Projects" }), {}, vault)).cwd, join(vault, "Projects"));
        const s = await resolveSetup(
            agent({ claude_path: "~/bin/claude", cwd: "~/code", env: { HOME: home } }),
            { HOME: "/elsewhere" },
            vault,
        );
        assert.deepEqual([s.path, s.cwd, s.env.HOME], [join(home, "bin/claude"), join(home, "code"), home]);
    });
});

describe("lodge doctor: the claude-code agent", () => {
    async function doctor(agents: Record<string, unknown>, env: Record<string, string> = {}): Promise<string> {
        const dir = scratch();
        writeFileSync(join(dir, "config.yaml"), YAML.stringify({ agents }));
        return new Promise((resolve) => {
            const child = spawn(process.execPath, [LODGE_BIN, "doctor", "--data", dir], {
                env: testEnv(env),
                stdio: ["ignore", "pipe", "pipe"],
            });
            let out = "";
            child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
            child.once("close", () => resolve(out));
        });
    }

    it("says the CLI is missing, or not executable, and shows the version of one that works", async () => {
        const dir = scratch();
        writeFileSync(join(dir, "claude"), "not a program");
        chmodSync(join(dir, "claude"), 0o644);
        mkdirSync(join(dir, "bin"));
        writeFileSync(join(dir, "bin", "claude"), "#!/bin/sh\necho '9.9.9 (Claude Code)'\n");
        chmodSync(join(dir, "bin", "claude"), 0o755);
        const out = await doctor(
            {
                gone: { backend: "claude-code", claude_path: join(dir, "missing") },
                noexec: { backend: "claude-code", claude_path: join(dir, "claude") },
                real: { backend: "claude-code", claude_path: CLAUDE },
                home: { backend: "claude-code", claude_path: "~/bin/claude" },
            },
            { HOME: dir },
        );
        assert.match(out, new RegExp(`^PROBLEM agent gone: the Claude Code CLI was not found at ${join(dir, "missing")}: install`, "m"));
        assert.match(out, new RegExp(`^PROBLEM agent noexec: ${join(dir, "claude")} is not executable: check claude_path$`, "m"));
        // The real CLI runs, but a HOME without a login is not logged in; a stand-in that prints a version for
        // every command cannot say (`claude auth status` is the check, docs/cli.md).
        assert.match(out, /^PROBLEM agent real: Claude Code at .*claude is not logged in: run `claude` once and log in/m);
        assert.match(
            out,
            new RegExp(`^PROBLEM agent home: cannot tell whether Claude Code at ${join(dir, "bin", "claude")} is logged in`, "m"),
        );
    });
});

describe("killTree", () => {
    it("kills the leader's group and a descendant that moved to a group of its own", async () => {
        const marker = `${(process.pid % 1000) + 40}.4321`;
        // The grandchild gets a process group of its own, as the CLI gives each Bash tool.
        const script = `require("child_process").spawn("sleep", ["${marker}1"], { detached: true, stdio: "ignore" }); require("child_process").spawn("sleep", ["${marker}2"], { stdio: "ignore" }); setInterval(() => {}, 1000);`;
        const child = spawn(process.execPath, ["-e", script], { detached: true, stdio: "ignore" });
        await eventually(async () => (await processes(`sleep ${marker}`)).length === 2, 5000, "both sleeps");
        await killTree(child.pid!);
        await eventually(async () => (await processes(`sleep ${marker}`)).length === 0, 5000, "every sleep to end");
    });
});
