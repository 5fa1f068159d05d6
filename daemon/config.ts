/**
 * `<data>/config.yaml` (docs/config.md): loaded once, validated completely — a config error stops start-up
 * with every problem listed (file, key, what is wrong). Without a file, agents are auto-detected.
 * The types and defaults are in config-schema.ts, the sections' checks in config-agent.ts and config-sections.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import YAML from "yaml";
import { validateAgent } from "./config-agent";
import { ConfigError, defaultConfig, isMap, isStringList, type LodgeConfig } from "./config-schema";
import { validateChats, validateContext } from "./config-sections";

export {
    type AgentConfig,
    type BackendKind,
    ConfigError,
    DEFAULT_MODELS,
    DEFAULT_SYSTEM,
    DEFAULT_TOOL_TIMEOUT_MS,
    defaultConfig,
    type LodgeConfig,
    type McpServerConfig,
} from "./config-schema";

const TOP_KEYS = new Set(["default_agent", "agents", "chats", "http", "context"]);

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
    else
        for (const [name, value] of Object.entries(agents)) {
            const agent = validateAgent(name, value, (key, what) => bad(`agents.${name}${key ? `.${key}` : ""}`, what));
            if (agent) config.agents[name] = agent;
        }

    if (raw.default_agent !== undefined && raw.default_agent !== null) {
        if (typeof raw.default_agent !== "string") bad("default_agent", "must be an agent name");
        else if (isMap(agents) && !Object.hasOwn(agents, raw.default_agent))
            bad("default_agent", `"${raw.default_agent}" is not one of the agents`);
        else config.default_agent = raw.default_agent;
    }
    config.default_agent ??= Object.keys(config.agents)[0] ?? null;

    validateChats(raw.chats ?? {}, config, bad);

    const http = raw.http ?? {};
    if (!isMap(http)) bad("http", "must be a mapping");
    else {
        for (const key of Object.keys(http))
            if (!["max_body_mb", "allowed_hosts", "allowed_origins"].includes(key)) bad(`http.${key}`, "unknown key");
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
