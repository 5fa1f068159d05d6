/**
 * The plugin's settings as stored in `data.json`, and the pure rules that read them. No Obsidian
 * import: `lodge install-plugin` writes `{"daemonUrl", "token"}` into the same file, so whatever it
 * holds (older keys, wrong types, missing keys) is read back into a complete, valid settings object.
 */
import type { AgentInfo, ConfigResponse, SkillInfo } from "../shared/protocol/api";

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

/**
 * The daemon's last `GET /v1/config` answer and its ETag (docs/memory.md): the agent picker works from it
 * while the daemon is down, also after Obsidian restarts, and the next request sends the ETag back.
 */
export interface ConfigCache {
    config: ConfigResponse;
    etag: string | null;
}

/** Everything in `data.json`: the settings plus the cached configuration. */
export interface StoredData extends LodgeSettings {
    daemonConfig?: ConfigCache;
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
    const cache = readConfigCache(data.daemonConfig);
    if (cache) out.daemonConfig = cache;
    else delete out.daemonConfig;
    // The agent list before /v1/config (etag-less, without skills): the next refresh replaces it.
    delete (out as { agentCache?: unknown }).agentCache;
    return out;
}

/** `http://host:port/` → `http://host:port`: routes are appended to it. */
export function normaliseUrl(url: string): string {
    return url.trim().replace(/\/+$/, "");
}

/** A vault folder path without leading/trailing slashes ("" = the vault root). */
export function normaliseFolder(folder: string): string {
    return folder
        .trim()
        .replace(/\\/g, "/")
        .replace(/^\/+|\/+$/g, "");
}

/** A cached answer read back defensively: data.json is a file anyone may have edited. */
function readConfigCache(raw: unknown): ConfigCache | null {
    if (!isRecord(raw) || !isRecord(raw.config) || !Array.isArray(raw.config.agents)) return null;
    const c = raw.config;
    const agents = (c.agents as unknown[])
        .filter((a): a is Record<string, unknown> => isRecord(a) && typeof a.name === "string")
        .map(readAgent);
    const skills: Record<string, SkillInfo[]> = {};
    if (isRecord(c.skills)) {
        for (const [agent, list] of Object.entries(c.skills)) {
            if (!Array.isArray(list)) continue;
            skills[agent] = list
                .filter((k): k is Record<string, unknown> => isRecord(k) && typeof k.name === "string")
                .map((k) => ({
                    name: str(k.name),
                    description: str(k.description),
                    triggers: Array.isArray(k.triggers) ? k.triggers.filter((t): t is string => typeof t === "string") : [],
                }));
        }
    }
    const config: ConfigResponse = {
        version: str(c.version),
        agents,
        default_agent: typeof c.default_agent === "string" ? c.default_agent : null,
        skills,
    };
    return { config, etag: typeof raw.etag === "string" ? raw.etag : null };
}

/** The AgentInfo fields the plugin knows, nothing else (the daemon may add fields later). */
function readAgent(a: Record<string, unknown>): AgentInfo {
    const agent: AgentInfo = { name: str(a.name), backend: str(a.backend), model: str(a.model), description: str(a.description) };
    if (a.ready === false) {
        agent.ready = false;
        agent.problem = typeof a.problem === "string" ? a.problem : "not ready";
    }
    return agent;
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
export function planTokenStorage(
    fromData: string,
    fromSecret: string | null,
    hasSecretStorage: boolean,
): {
    token: string;
    writeSecret: boolean;
    clearData: boolean;
} {
    if (!hasSecretStorage) return { token: fromData, writeSecret: false, clearData: false };
    if (fromData !== "") return { token: fromData, writeSecret: fromData !== fromSecret, clearData: true };
    return { token: fromSecret ?? "", writeSecret: false, clearData: false };
}

/** Whether the daemon URL names this very device (on a phone that is the phone, not the desktop). */
export function isLoopbackUrl(url: string): boolean {
    try {
        const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
        return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
    } catch {
        return false;
    }
}

export const MOBILE_LOOPBACK_NOTICE =
    "Lodge: the daemon URL points at this phone itself, where no daemon runs. In Settings → Lodge, set the desktop's address " +
    '(for example http://my-desktop.tailnet.ts.net:8765) and a token made for this phone; the README\'s "Ask from your phone" shows how.';
