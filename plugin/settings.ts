/**
 * The plugin's settings as stored in `data.json`, and the pure rules that read them. No Obsidian
 * import: `lodge install-plugin` writes `{"daemonUrl", "token"}` into the same file, so whatever it
 * holds (older keys, wrong types, missing keys) is read back into a complete, valid settings object.
 */
import type { AgentInfo } from "../shared/protocol/api";

export interface LodgeSettings {
    /** Where the daemon listens; `lodge start` prints it. */
    daemonUrl: string;
    /** Bearer token (scope `messages`). Empty here when the app's secret storage holds it. */
    token: string;
    /** Agent for notes without `agent:` in their frontmatter; "" lets the daemon choose. */
    defaultAgent: string;
    /** Notes in this folder are chat notes, as are notes with `agent:` in their frontmatter. */
    chatFolder: string;
    /** Obsidian's own save command (Ctrl/Cmd+S) sends a chat note whose last user turn has text. */
    sendOnSave: boolean;
    /** Send a chat note once the person has stopped typing in it for `idleMs`. */
    sendAfterIdle: boolean;
    idleMs: number;
}

export const DEFAULT_SETTINGS: LodgeSettings = {
    daemonUrl: "http://127.0.0.1:8765",
    token: "",
    defaultAgent: "",
    chatFolder: "Chats",
    sendOnSave: true,
    sendAfterIdle: false,
    idleMs: 3000,
};

/** The last agent list the daemon gave, so the agent picker works while it is down (SPEC §9). */
export interface AgentCache {
    agents: AgentInfo[];
    defaultAgent: string | null;
    /** The `ETag` of `/v1/config`, when that route answered. */
    etag?: string;
}

/** Everything in `data.json`: the settings plus the agent cache. */
export interface StoredData extends LodgeSettings {
    agentCache?: AgentCache;
}

const MIN_IDLE_MS = 500;

/** Reads whatever `data.json` holds into complete settings: unknown keys kept, bad values replaced. */
export function readStoredData(raw: unknown): StoredData {
    const data = isRecord(raw) ? raw : {};
    const out: StoredData = { ...data, ...DEFAULT_SETTINGS };
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof LodgeSettings)[]) {
        const value = data[key];
        if (typeof value === typeof DEFAULT_SETTINGS[key]) (out as unknown as Record<string, unknown>)[key] = value;
    }
    out.daemonUrl = normaliseUrl(out.daemonUrl) || DEFAULT_SETTINGS.daemonUrl;
    out.chatFolder = normaliseFolder(out.chatFolder);
    if (!Number.isFinite(out.idleMs) || out.idleMs < MIN_IDLE_MS) out.idleMs = DEFAULT_SETTINGS.idleMs;
    const cache = readAgentCache(data.agentCache);
    if (cache) out.agentCache = cache;
    else delete out.agentCache;
    return out;
}

/** `http://host:port/` → `http://host:port`: routes are appended to it. */
export function normaliseUrl(url: string): string {
    return url.trim().replace(/\/+$/, "");
}

/** A vault folder path without leading/trailing slashes ("" = the vault root). */
export function normaliseFolder(folder: string): string {
    return folder.trim().replace(/\\/g, "/").replace(/^\/+|\/+$/g, "");
}

function readAgentCache(raw: unknown): AgentCache | null {
    if (!isRecord(raw) || !Array.isArray(raw.agents)) return null;
    const agents = raw.agents.filter(
        (a): a is AgentInfo => isRecord(a) && typeof a.name === "string",
    ).map((a) => ({ name: a.name, backend: str(a.backend), model: str(a.model), description: str(a.description) }));
    const defaultAgent = typeof raw.defaultAgent === "string" ? raw.defaultAgent : null;
    const etag = typeof raw.etag === "string" ? raw.etag : undefined;
    return etag === undefined ? { agents, defaultAgent } : { agents, defaultAgent, etag };
}

function str(value: unknown): string {
    return typeof value === "string" ? value : "";
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The id under which the token lives in Obsidian's secret storage (lowercase, dashes: its rule). */
export const TOKEN_SECRET_ID = "lodge-daemon-token";

/**
 * Where the token goes on load. With secret storage, a token found in data.json (a fresh one from
 * `lodge install-plugin`) moves there and data.json keeps an empty copy; without it, data.json keeps it.
 */
export function planTokenStorage(fromData: string, fromSecret: string | null, hasSecretStorage: boolean): {
    token: string;
    writeSecret: boolean;
    clearData: boolean;
} {
    if (!hasSecretStorage) return { token: fromData, writeSecret: false, clearData: false };
    if (fromData !== "") return { token: fromData, writeSecret: fromData !== fromSecret, clearData: true };
    return { token: fromSecret ?? "", writeSecret: false, clearData: false };
}
