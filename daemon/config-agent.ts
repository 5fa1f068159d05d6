/**
 * One entry of `agents` in config.yaml (docs/config.md), checked key by key, and its `mcp_servers`
 * (docs/mcp.md): each a program spoken to over stdio, or a Streamable HTTP URL.
 */
import {
    type AgentConfig,
    type BackendKind,
    DEFAULT_MODELS,
    DEFAULT_SYSTEM,
    isCount,
    isMap,
    isStringList,
    type McpServerConfig,
} from "./config-schema";

const BACKENDS: BackendKind[] = ["anthropic", "openai", "claude-code"];
const AGENT_KEYS = new Set([
    "backend",
    "model",
    "system",
    "description",
    "base_url",
    "api_key_env",
    "max_tokens",
    "temperature",
    "memory",
    "vault_tools",
    "context_tokens",
    "request_timeout_ms",
    "max_tool_rounds",
    "claude_path",
    "cwd",
    "permission_mode",
    "allowed_tools",
    "env",
    "mcp_servers",
    "tool_timeout_ms",
]);

export function validateAgent(name: string, value: unknown, bad: (key: string, what: string) => void): AgentConfig | null {
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
    if (agent.api_key_env !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(agent.api_key_env))
        bad("api_key_env", "must be the name of an environment variable (keys never live in the file)");
    if (value.max_tokens !== undefined) {
        if (isCount(value.max_tokens) && value.max_tokens > 0) agent.max_tokens = value.max_tokens;
        else bad("max_tokens", "must be a positive whole number");
    }
    if (value.temperature !== undefined) {
        if (typeof value.temperature === "number" && value.temperature >= 0 && value.temperature <= 2)
            agent.temperature = value.temperature;
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
        if (!isMap(value.mcp_servers))
            bad("mcp_servers", "must be a mapping of server names to {command, args?, env?, cwd?} or {url, headers?}");
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
        if (isMap(value.env) && Object.values(value.env).every((v) => typeof v === "string"))
            agent.env = value.env as Record<string, string>;
        else bad("env", "must be a mapping of variable names to text");
    }
    return agent;
}

const STDIO_KEYS = new Set(["command", "args", "env", "cwd", "tool_timeout_ms"]);
const HTTP_KEYS = new Set(["url", "headers", "tool_timeout_ms"]);

/** One `mcp_servers` entry. Its name prefixes its tools (`NAME__tool`), so it is short and plain. */
function validateMcpServer(name: string, value: unknown, bad: (key: string, what: string) => void): McpServerConfig | null {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/.test(name) || name.includes("__"))
        bad("", "server names use letters, digits and '-' (at most 32), as they prefix its tools: NAME__tool");
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
    for (const key of Object.keys(value))
        if (!(stdio ? STDIO_KEYS : HTTP_KEYS).has(key))
            bad(
                key,
                stdio ? "unknown key (a stdio server takes command, args, env, cwd)" : "unknown key (an HTTP server takes url, headers)",
            );
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
