/**
 * Whether an agent can answer as configured, as clients show it (the plugin marks "key missing" in its
 * agent picker before the person sends anything). Only what the daemon can tell without a request:
 * the API key its backend needs is in the daemon's environment. A server on this machine (Ollama,
 * vLLM, a local gateway) takes any key, so an agent whose base_url is on loopback needs none.
 */
import type { AgentConfig } from "../config";

const DEFAULT_KEY_ENV: Partial<Record<AgentConfig["backend"], string>> = {
    anthropic: "ANTHROPIC_API_KEY",
    openai: "OPENAI_API_KEY",
};

/** The environment variable holding the agent's API key, if its backend takes one. */
export function keyEnvOf(agent: AgentConfig): string | undefined {
    return agent.api_key_env ?? DEFAULT_KEY_ENV[agent.backend];
}

/** What keeps the agent from answering, in a sentence, or null when nothing the daemon can see does. */
export function agentProblem(agent: AgentConfig, env: NodeJS.ProcessEnv): string | null {
    const keyEnv = keyEnvOf(agent);
    if (keyEnv === undefined) return null;
    if (env[keyEnv]) return null;
    if (agent.base_url !== undefined && isLoopback(agent.base_url)) return null;
    return `${keyEnv} is not set in the daemon's environment`;
}

function isLoopback(url: string): boolean {
    let host: string;
    try {
        host = new URL(url).hostname.toLowerCase();
    } catch {
        return false;
    }
    return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}
