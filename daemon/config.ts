/**
 * `<data>/config.yaml` (docs/config.md): loaded once, validated completely — a config error stops start-up
 * with every problem listed (file, key, what is wrong). Without a file, agents are auto-detected.
 */
import { existsSync, readFileSync } from "node:fs";
import YAML from "yaml";
import { plural } from "./words";

export type BackendKind = "anthropic" | "openai" | "claude-code";

export interface AgentConfig {
    name: string;
    backend: BackendKind;
    model: string;
    system: string;
    description: string;
    base_url?: string;
    api_key_env?: string;
    max_tokens: number;
    temperature?: number;
    memory: boolean;
    /** `read` (also when absent): the vault tools (search_notes, read_note, list_notes; docs/context.md); `off`: none. */
    vault_tools?: "read" | "off";
    /** docs/context.md: the model's context window in tokens; absent: the daemon's table, else 32,000 (daemon/context/windows.ts). */
    context_tokens?: number;
    /** Longest wait for a backend's first byte, and between two tokens, before the turn fails. */
    request_timeout_ms: number;
    /** docs/mcp.md: MCP servers whose tools the agent gets as `NAME__tool`. */
    mcp_servers?: Record<string, McpServerConfig>;
    /** How long one MCP tool call may take before it is an error result (default 60,000). */
    tool_timeout_ms?: number;
    /** Tool rounds one turn may take (model-backend's tool loop); reaching it ends the turn with a callout saying so. */
    max_tool_rounds: number;
    // claude-code only (docs/claude-code.md)
    claude_path?: string;
    cwd?: string;
    permission_mode?: string;
    allowed_tools?: string[];
    env?: Record<string, string>;
}

/** One of an agent's `mcp_servers` (docs/mcp.md): a program spoken to over stdio, or a Streamable HTTP URL. */
export type McpServerConfig =
    | { command: string; args?: string[]; env?: Record<string, string>; cwd?: string; tool_timeout_ms?: number }
    | { url: string; headers?: Record<string, string>; tool_timeout_ms?: number };

export const DEFAULT_TOOL_TIMEOUT_MS = 60_000;

export interface LodgeConfig {
    default_agent: string | null;
    agents: Record<string, AgentConfig>;
    /** `log_folder`: where turns from the other frontends are logged as chat notes (docs/frontends.md). */
    chats: { folders: string[]; watch: boolean; watch_idle_ms: number; progress_ms: number; log_folder: string };
    http: { max_body_mb: number; allowed_hosts: string[]; allowed_origins: string[] };
    /** docs/context.md: linked and pinned notes' budget, and what no agent may see (docs/context.md). */
    context: { link_chars: number; exclude: string[] };
    /** Where it came from: the file's path, or null when agents were auto-detected. */
    file: string | null;
}

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`config: ${plural(problems.length, "problem")}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

export const DEFAULT_SYSTEM = "You are a helpful assistant living in the user's notes.";
/**
 * Models the providers serve today: the newest Sonnet and a small GPT from the SDKs' own model lists,
 * none in the Anthropic SDK's deprecation table (model-check.ts reads it). Claude Code picks its own.
 */
export const DEFAULT_MODELS: Record<BackendKind, string> = { anthropic: "claude-sonnet-5-5", openai: "gpt-5.4-mini", "claude-code": "" };
const BACKENDS: BackendKind[] = ["anthropic", "openai", "claude-code"];
const AGENT_KEYS = new Set([
    "backend", "model", "system", "description", "base_url", "api_key_env", "max_tokens", "temperature", "memory", "vault_tools",
    "context_tokens", "request_timeout_ms", "max_tool_rounds", "claude_path", "cwd", "permission_mode", "allowed_tools", "env", "mcp_servers",
    "tool_timeout_ms",
]);
const TOP_KEYS = new Set(["default_agent", "agents", "chats", "http", "context"]);

export function defaultConfig(): LodgeConfig {
    return {
        default_agent: null,
        // No prototype: an agent named "constructor" or "__proto__" must not find Object's own members.
        agents: Object.create(null) as Record<string, AgentConfig>,
        chats: { folders: ["Chats"], watch: true, watch_idle_ms: 2000, progress_ms: 1000, log_folder: "Chats/Logged" },
        http: { max_body_mb: 16, allowed_hosts: [], allowed_origins: [] },
        context: { link_chars: 60_000, exclude: [] },
        file: null,
    };
}

/** Reads and validates the config file; returns null when it does not exist. Throws ConfigError. */
export function loadConfigFile(file: string): LodgeConfig | null {
    if (!existsSync(file)) return null;
    const text = readFileSync(file, "utf8");
    const doc = YAML.parseDocument(text, { prettyErrors: false });
    if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => yamlProblem(file, text, e.pos[0], e.message)));
    let raw: unknown;
    try {
        raw = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
        throw new ConfigError([`${file}: not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
    }
    return validateConfig(raw ?? {}, file);
}

/** One line: where a YAML syntax error is (line and column from 1), what it is, and the line itself. */
function yamlProblem(file: string, text: string, pos: number, message: string): string {
    const lines = text.split("\n");
    let offset = 0;
    let line = 0;
    while (line < lines.length - 1 && offset + lines[line]!.length + 1 <= pos) offset += lines[line++]!.length + 1;
    let column = pos - offset + 1;
    // An error at the very end points past the last line; the line to show is the last one with text.
    while (line > 0 && (lines[line] ?? "").trim() === "") {
        line--;
        column = lines[line]!.length + 1;
    }
    const shown = (lines[line] ?? "").replace(/\r$/, "");
    return `${file}: not valid YAML at line ${line + 1}, column ${column}: ${message.split("\n")[0]}; the line reads: ${JSON.stringify(shown)}`;
}

export function validateConfig(raw: unknown, file: string): LodgeConfig {
    const problems: string[] = [];
    const bad = (key: string, what: string): void => void problems.push(`${file}: ${key}: ${what}`);
    const config = defaultConfig();
    config.file = file;
    if (!isMap(raw)) throw new ConfigError([`${file}: the file must be a mapping of keys`]);
    for (const key of Object.keys(raw)) if (!TOP_KEYS.has(key)) bad(key, "unknown key");

    const agents = raw.agents ?? {};
    if (!isMap(agents)) bad("agents", "must be a mapping of agent names to settings");
    else for (const [name, value] of Object.entries(agents)) {
        const agent = validateAgent(name, value, (key, what) => bad(`agents.${name}${key ? `.${key}` : ""}`, what));
        if (agent) config.agents[name] = agent;
    }

    if (raw.default_agent !== undefined && raw.default_agent !== null) {
        if (typeof raw.default_agent !== "string") bad("default_agent", "must be an agent name");
        else if (isMap(agents) && !Object.hasOwn(agents, raw.default_agent)) bad("default_agent", `"${raw.default_agent}" is not one of the agents`);
        else config.default_agent = raw.default_agent;
    }
    config.default_agent ??= Object.keys(config.agents)[0] ?? null;

    const chats = raw.chats ?? {};
    if (!isMap(chats)) bad("chats", "must be a mapping");
    else {
        for (const key of Object.keys(chats)) if (!["folders", "watch", "watch_idle_ms", "progress_ms", "log_folder"].includes(key)) bad(`chats.${key}`, "unknown key");
        if (chats.folders !== undefined) {
            if (isStringList(chats.folders)) config.chats.folders = chats.folders;
            else bad("chats.folders", "must be a list of folder names");
        }
        if (chats.watch !== undefined) {
            if (typeof chats.watch === "boolean") config.chats.watch = chats.watch;
            else bad("chats.watch", "must be true or false");
        }
        if (chats.watch_idle_ms !== undefined) {
            if (isCount(chats.watch_idle_ms)) config.chats.watch_idle_ms = chats.watch_idle_ms;
            else bad("chats.watch_idle_ms", "must be a whole number of milliseconds");
        }
        if (chats.progress_ms !== undefined) {
            if (isCount(chats.progress_ms)) config.chats.progress_ms = chats.progress_ms;
            else bad("chats.progress_ms", "must be a whole number of milliseconds (0: write the reply only at the end)");
        }
        if (chats.log_folder !== undefined) {
            const folder = typeof chats.log_folder === "string" ? logFolder(chats.log_folder) : null;
            if (folder) config.chats.log_folder = folder;
            else bad("chats.log_folder", "must be a folder inside the vault, not hidden (such as Chats/Logged)");
        }
    }

    const http = raw.http ?? {};
    if (!isMap(http)) bad("http", "must be a mapping");
    else {
        for (const key of Object.keys(http)) if (!["max_body_mb", "allowed_hosts", "allowed_origins"].includes(key)) bad(`http.${key}`, "unknown key");
        if (http.max_body_mb !== undefined) {
            if (typeof http.max_body_mb === "number" && http.max_body_mb > 0) config.http.max_body_mb = http.max_body_mb;
            else bad("http.max_body_mb", "must be a positive number");
        }
        for (const key of ["allowed_hosts", "allowed_origins"] as const) {
            if (http[key] === undefined) continue;
            if (isStringList(http[key])) config.http[key] = http[key];
            else bad(`http.${key}`, "must be a list of text values");
        }
    }
    validateContext(raw.context ?? {}, config, bad);
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
}

/** `context` (docs/config.md, docs/context.md). Exclusions are checked here so a typo never silently shows a private note. */
function validateContext(context: unknown, config: LodgeConfig, bad: (key: string, what: string) => void): void {
    if (!isMap(context)) return bad("context", "must be a mapping");
    for (const key of Object.keys(context)) if (!["link_chars", "exclude"].includes(key)) bad(`context.${key}`, "unknown key");
    if (context.link_chars !== undefined) {
        if (isCount(context.link_chars)) config.context.link_chars = context.link_chars;
        else bad("context.link_chars", "must be a whole number of characters");
    }
    if (context.exclude === undefined || context.exclude === null) return;
    if (!isStringList(context.exclude)) return bad("context.exclude", 'must be a list of folders ("Private/") and tags ("#private")');
    for (const entry of context.exclude) {
        const problem = excludeProblem(entry);
        if (problem) bad("context.exclude", `"${entry}": ${problem}`);
    }
    config.context.exclude = context.exclude;
}

/** A vault folder as `a/b`, or null when it is empty, leaves the vault or is hidden. */
function logFolder(value: string): string | null {
    const parts = value.replace(/\\/g, "/").split("/").filter((p) => p !== "" && p !== ".");
    if (parts.length === 0 || /^([A-Za-z]:|[/\\])/.test(value) || parts.some((p) => p === ".." || p.startsWith("."))) return null;
    return parts.join("/");
}

function excludeProblem(entry: string): string | null {
    const value = entry.trim();
    if (value.startsWith("#")) {
        return /^#[\p{L}\p{N}_\-/]+$/u.test(value) && !/^#\/|\/$/.test(value) ? null : "a tag is # then letters, digits, _, - or / (no spaces), such as #private";
    }
    const parts = value.replace(/\\/g, "/").split("/").filter((p) => p !== "" && p !== ".");
    if (parts.length === 0) return 'names no folder; to hide the whole vault set vault_tools: off on the agents instead';
    if (parts.includes("..")) return "a folder inside the vault is expected (no ..)";
    return null;
}

function validateAgent(name: string, value: unknown, bad: (key: string, what: string) => void): AgentConfig | null {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) bad("", "agent names use letters, digits, '-', '_' and '.' (at most 64)");
    if (!isMap(value)) {
        bad("", "must be a mapping of settings");
        return null;
    }
    for (const key of Object.keys(value)) if (!AGENT_KEYS.has(key)) bad(key, "unknown key");
    const backend = value.backend;
    if (!BACKENDS.includes(backend as BackendKind)) {
        bad("backend", `must be one of ${BACKENDS.join(", ")}`);
        return null;
    }
    const kind = backend as BackendKind;
    const text = (key: string, fallback?: string): string | undefined => {
        const v = value[key];
        if (v === undefined || v === null) return fallback;
        if (typeof v !== "string") bad(key, "must be text");
        return typeof v === "string" ? v : fallback;
    };
    const agent: AgentConfig = {
        name,
        backend: kind,
        model: text("model", DEFAULT_MODELS[kind])!,
        system: text("system", DEFAULT_SYSTEM)!,
        description: text("description", "")!,
        base_url: text("base_url"),
        api_key_env: text("api_key_env"),
        max_tokens: 4096,
        memory: true,
        request_timeout_ms: 120_000,
        max_tool_rounds: 8,
        claude_path: text("claude_path"),
        cwd: text("cwd"),
        permission_mode: text("permission_mode"),
    };
    if (agent.base_url !== undefined && !/^https?:\/\/[^\s]+$/.test(agent.base_url)) bad("base_url", "must be an http:// or https:// URL");
    if (agent.api_key_env !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(agent.api_key_env)) bad("api_key_env", "must be the name of an environment variable (keys never live in the file)");
    if (value.max_tokens !== undefined) {
        if (isCount(value.max_tokens) && value.max_tokens > 0) agent.max_tokens = value.max_tokens;
        else bad("max_tokens", "must be a positive whole number");
    }
    if (value.temperature !== undefined) {
        if (typeof value.temperature === "number" && value.temperature >= 0 && value.temperature <= 2) agent.temperature = value.temperature;
        else bad("temperature", "must be a number from 0 to 2");
    }
    if (value.memory !== undefined) {
        if (typeof value.memory === "boolean") agent.memory = value.memory;
        else bad("memory", "must be true or false");
    }
    if (value.vault_tools !== undefined) {
        if (value.vault_tools === "read" || value.vault_tools === "off") agent.vault_tools = value.vault_tools;
        else bad("vault_tools", "must be read or off");
    }
    if (value.context_tokens !== undefined) {
        if (isCount(value.context_tokens) && value.context_tokens > agent.max_tokens) agent.context_tokens = value.context_tokens;
        else bad("context_tokens", "must be a whole number of tokens, larger than max_tokens");
    }
    if (value.request_timeout_ms !== undefined) {
        if (isCount(value.request_timeout_ms) && value.request_timeout_ms > 0) agent.request_timeout_ms = value.request_timeout_ms;
        else bad("request_timeout_ms", "must be a positive whole number of milliseconds");
    }
    if (value.tool_timeout_ms !== undefined) {
        if (isCount(value.tool_timeout_ms) && value.tool_timeout_ms > 0) agent.tool_timeout_ms = value.tool_timeout_ms;
        else bad("tool_timeout_ms", "must be a positive whole number of milliseconds");
    }
    if (value.mcp_servers !== undefined && value.mcp_servers !== null) {
        if (!isMap(value.mcp_servers)) bad("mcp_servers", "must be a mapping of server names to {command, args?, env?, cwd?} or {url, headers?}");
        else {
            agent.mcp_servers = {};
            for (const [server, entry] of Object.entries(value.mcp_servers)) {
                const checked = validateMcpServer(server, entry, (key, what) => bad(`mcp_servers.${server}${key ? `.${key}` : ""}`, what));
                if (checked) agent.mcp_servers[server] = checked;
            }
        }
    }
    if (value.max_tool_rounds !== undefined) {
        if (isCount(value.max_tool_rounds) && value.max_tool_rounds > 0) agent.max_tool_rounds = value.max_tool_rounds;
        else bad("max_tool_rounds", "must be a positive whole number");
    }
    if (value.allowed_tools !== undefined) {
        if (isStringList(value.allowed_tools)) agent.allowed_tools = value.allowed_tools;
        else bad("allowed_tools", "must be a list of tool names");
    }
    if (value.env !== undefined) {
        if (isMap(value.env) && Object.values(value.env).every((v) => typeof v === "string")) agent.env = value.env as Record<string, string>;
        else bad("env", "must be a mapping of variable names to text");
    }
    return agent;
}

const STDIO_KEYS = new Set(["command", "args", "env", "cwd", "tool_timeout_ms"]);
const HTTP_KEYS = new Set(["url", "headers", "tool_timeout_ms"]);

/** One `mcp_servers` entry. Its name prefixes its tools (`NAME__tool`), so it is short and plain. */
function validateMcpServer(name: string, value: unknown, bad: (key: string, what: string) => void): McpServerConfig | null {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/.test(name) || name.includes("__")) bad("", "server names use letters, digits and '-' (at most 32), as they prefix its tools: NAME__tool");
    if (name === "lodge") bad("", `"lodge" is Lodge's own MCP server's name; give this server another`);
    if (!isMap(value)) {
        bad("", "must be {command, args?, env?, cwd?} or {url, headers?}");
        return null;
    }
    const stdio = value.command !== undefined;
    if (stdio === (value.url !== undefined)) {
        bad("", "give either command (a program spoken to over stdio) or url (a Streamable HTTP server), not both or neither");
        return null;
    }
    for (const key of Object.keys(value)) if (!(stdio ? STDIO_KEYS : HTTP_KEYS).has(key)) bad(key, stdio ? "unknown key (a stdio server takes command, args, env, cwd)" : "unknown key (an HTTP server takes url, headers)");
    const textMap = (key: string): Record<string, string> | undefined => {
        const v = value[key];
        if (v === undefined || v === null) return undefined;
        if (isMap(v) && Object.values(v).every((x) => typeof x === "string")) return v as Record<string, string>;
        bad(key, "must be a mapping of names to text");
        return undefined;
    };
    let timeout: number | undefined;
    if (value.tool_timeout_ms !== undefined) {
        if (isCount(value.tool_timeout_ms) && value.tool_timeout_ms > 0) timeout = value.tool_timeout_ms;
        else bad("tool_timeout_ms", "must be a positive whole number of milliseconds");
    }
    const timed = timeout === undefined ? {} : { tool_timeout_ms: timeout };
    if (!stdio) {
        if (typeof value.url !== "string" || !/^https?:\/\/\S+$/.test(value.url)) bad("url", "must be an http:// or https:// URL");
        const headers = textMap("headers");
        return { url: String(value.url), ...(headers && { headers }), ...timed };
    }
    if (typeof value.command !== "string" || value.command.trim() === "") bad("command", "must be the program to run, such as npx");
    if (value.args !== undefined && !isStringList(value.args)) bad("args", "must be a list of text values");
    if (value.cwd !== undefined && typeof value.cwd !== "string") bad("cwd", "must be a folder");
    const env = textMap("env");
    return {
        command: String(value.command),
        ...(isStringList(value.args) && { args: value.args }),
        ...(env && { env }),
        ...(typeof value.cwd === "string" && { cwd: value.cwd }),
        ...timed,
    };
}

function isMap(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isStringList(v: unknown): v is string[] {
    return Array.isArray(v) && v.every((x) => typeof x === "string");
}

function isCount(v: unknown): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= 0;
}
