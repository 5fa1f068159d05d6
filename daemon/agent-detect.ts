/**
 * Agents found without a config file (docs/config.md): an Anthropic key, an OpenAI key or base URL, an
 * Ollama server answering on its default port within 300 ms, a `claude` executable on PATH.
 * The first found is the default.
 */
import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { type AgentConfig, DEFAULT_MODELS, DEFAULT_SYSTEM, defaultConfig, type LodgeConfig } from "./config";
import { packageRoot } from "./paths";

const OLLAMA_URL = "http://127.0.0.1:11434/v1";

function agent(name: string, fields: Partial<AgentConfig> & Pick<AgentConfig, "backend" | "model">): AgentConfig {
    return {
        name,
        system: DEFAULT_SYSTEM,
        description: "",
        max_tokens: 4096,
        memory: true,
        request_timeout_ms: 120_000,
        max_tool_rounds: 8,
        ...fields,
    };
}

export function findOnPath(command: string, path = process.env.PATH ?? "", skip: (dir: string) => boolean = () => false): string | null {
    for (const dir of path.split(delimiter)) {
        if (!dir || skip(dir)) continue;
        const candidate = join(dir, command);
        try {
            accessSync(candidate, constants.X_OK);
            return candidate;
        } catch {
            // not here
        }
    }
    return null;
}

function realDir(dir: string): string {
    try {
        return realpathSync(dir);
    } catch {
        return resolve(dir);
    }
}

/**
 * The `claude` a person installed. `npm start` puts the project's own `node_modules/.bin` on PATH,
 * and the project's devDependency puts a `claude` there that nobody logged in: it does not count.
 */
export function findClaude(path = process.env.PATH ?? ""): string | null {
    let own: string | null;
    try {
        own = realDir(join(packageRoot(), "node_modules", ".bin"));
    } catch {
        own = null;
    }
    return findOnPath("claude", path, (dir) => own !== null && realDir(dir) === own);
}

async function ollamaModel(timeoutMs: number): Promise<string | null> {
    try {
        const res = await fetch(`${OLLAMA_URL}/models`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) return null;
        const body = (await res.json()) as { data?: Array<{ id?: string }> };
        return body.data?.[0]?.id ?? null;
    } catch {
        return null;
    }
}

export async function detectAgents(env: NodeJS.ProcessEnv = process.env): Promise<LodgeConfig> {
    const config = defaultConfig();
    const found: AgentConfig[] = [];
    if (env.ANTHROPIC_API_KEY) {
        found.push(
            agent("claude", {
                backend: "anthropic",
                model: DEFAULT_MODELS.anthropic,
                api_key_env: "ANTHROPIC_API_KEY",
                description: "Anthropic API",
            }),
        );
    }
    if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) {
        found.push(
            agent("gpt", {
                backend: "openai",
                model: DEFAULT_MODELS.openai,
                api_key_env: "OPENAI_API_KEY",
                base_url: env.OPENAI_BASE_URL || undefined,
                description: "OpenAI-compatible API",
            }),
        );
    }
    const model = await ollamaModel(300);
    if (model) found.push(agent("local", { backend: "openai", model, base_url: OLLAMA_URL, description: "Ollama on this machine" }));
    if (findClaude(env.PATH)) found.push(agent("claude-code", { backend: "claude-code", model: "", description: "Claude Code CLI" }));
    for (const a of found) config.agents[a.name] = a;
    config.default_agent = found[0]?.name ?? null;
    return config;
}

/** The one line start-up prints, and a `no_agent` error repeats, when there is no agent at all. */
export function howToAddAgent(configPath: string): string {
    return `no agents: set ANTHROPIC_API_KEY or OPENAI_API_KEY, start Ollama, install Claude Code, or add an agent to ${configPath}`;
}
