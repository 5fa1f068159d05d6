/**
 * Starts the real daemon for a test: `node bin/lodge.cjs start --port 0` in a child process (the
 * built bundle, as a person runs it) with a scratch vault and data folder and agents pointed at a
 * FakeLlm. `npm test` builds first; run `node esbuild.config.mjs` before running mocha by hand.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { FakeLlm } from "../fakes/fake-llm";

export const ROOT = join(__dirname, "..", "..");
export const LODGE_BIN = join(ROOT, "bin", "lodge.cjs");

export interface DaemonOptions {
    /** config.yaml as an object; default: agents `assistant` (anthropic) and `gpt` (openai) on the fake. */
    config?: Record<string, unknown>;
    /** Extra CORS origins (added to config http.allowed_origins). */
    allowedOrigins?: string[];
    env?: Record<string, string>;
    fake?: FakeLlm;
    /** Reuse folders (a restart). */
    vault?: string;
    data?: string;
    args?: string[];
}

export interface StartedDaemon {
    url: string;
    port: number;
    /** The plugin token (scope `messages`). */
    token: string;
    vault: string;
    data: string;
    configPath: string;
    fake: FakeLlm;
    child: ChildProcess;
    stdout(): string;
    stderr(): string;
    /** SIGTERM; resolves with the exit code. Also closes a FakeLlm this helper created. */
    stop(): Promise<number | null>;
    /** SIGKILL, as a crash. */
    kill(): Promise<void>;
}

/** One line of the daemon's log: JSON on standard error when it is not a terminal (docs/daemon.md, "Log"). */
export interface LogLine {
    level: string;
    time: string;
    msg: string;
    [key: string]: unknown;
}

/** The daemon's standard error as log lines; a line that is not JSON fails the test. */
export function logLines(stderr: string): LogLine[] {
    return stderr
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as LogLine);
}

export function scratch(prefix = "lodge-test-"): string {
    return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * defaultConfig with a context window large enough that nothing is left out to fit (the benches that
 * send 1,000 stored messages measure the turn's path, not docs/context.md's fitting).
 */
export function wideConfig(fake: FakeLlm): Record<string, unknown> {
    const config = defaultConfig(fake);
    for (const agent of Object.values(config.agents as Record<string, Record<string, unknown>>)) agent.context_tokens = 100_000_000;
    return config;
}

export function defaultConfig(fake: FakeLlm): Record<string, unknown> {
    return {
        default_agent: "assistant",
        agents: {
            assistant: { backend: "anthropic", model: "claude-test", base_url: fake.url, api_key_env: "LODGE_TEST_KEY", memory: false },
            gpt: { backend: "openai", model: "gpt-test", base_url: fake.openaiUrl, api_key_env: "LODGE_TEST_KEY", memory: false },
        },
    };
}

/** A clean environment: no real keys, no `claude` on PATH unless a test puts it there. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
        PATH: "/usr/local/bin:/usr/bin:/bin",
        HOME: process.env.HOME ?? tmpdir(),
        LODGE_TEST_KEY: "sk-test-key-0123456789",
        LODGE_RETRY_BASE_MS: "5",
        ...extra,
    };
}

export async function startDaemon(options: DaemonOptions = {}): Promise<StartedDaemon> {
    const ownFake = !options.fake;
    const fake = options.fake ?? (await FakeLlm.start());
    const root = scratch();
    const vault = options.vault ?? join(root, "vault");
    const data = options.data ?? join(root, "data");
    mkdirSync(data, { recursive: true });
    const configPath = join(data, "config.yaml");
    const config = { ...(options.config ?? defaultConfig(fake)) };
    if (options.allowedOrigins) config.http = { ...(config.http as object | undefined), allowed_origins: options.allowedOrigins };
    writeFileSync(configPath, YAML.stringify(config));
    const child = spawn(
        process.execPath,
        [
            LODGE_BIN,
            "start",
            "--port",
            "0",
            "--vault",
            vault,
            "--data",
            data,
            "--config",
            configPath,
            "--print-token",
            ...(options.args ?? []),
        ],
        {
            env: testEnv(options.env),
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    const ready = await new Promise<boolean>((resolve) => {
        const check = (): void => {
            if (/plugin token: \S+/.test(out)) resolve(true);
        };
        child.stdout.on("data", check);
        child.once("exit", () => resolve(false));
        setTimeout(() => resolve(false), 15_000);
    });
    if (!ready) {
        child.kill("SIGKILL");
        throw new Error(`the daemon did not start:\n${out}\n${err}`);
    }
    const url = /listening on (\S+)/.exec(out)![1]!;
    const token = /plugin token: (\S+)/.exec(out)![1]!;
    const exited = once(child, "exit") as Promise<[number | null]>;
    return {
        url,
        port: Number(new URL(url).port),
        token,
        vault,
        data,
        configPath,
        fake,
        child,
        stdout: () => out,
        stderr: () => err,
        async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
            const [code] = await exited;
            if (ownFake) await fake.close();
            return code;
        },
        async kill() {
            child.kill("SIGKILL");
            await exited;
        },
    };
}
