/**
 * What `<data>/config.yaml` becomes (docs/config.md): the config's types, its defaults, the error that
 * lists every problem, and the shape checks the validators share (config.ts reads and validates).
 */
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

export function isMap(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isStringList(v: unknown): v is string[] {
    return Array.isArray(v) && v.every((x) => typeof x === "string");
}

export function isCount(v: unknown): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= 0;
}
