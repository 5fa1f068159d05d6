/** Which backend runs an agent. */
import type { AgentConfig } from "../config";
import { AnthropicClient } from "./anthropic-client";
import { ModelBackend } from "./model-backend";
import { OpenAiClient } from "./openai-client";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry";
import { type Backend, BackendFailure } from "./types";

export interface BackendDeps {
    env: NodeJS.ProcessEnv;
    retry?: RetryPolicy;
    /** Backends that are not model APIs (claude-code) register here. */
    extra?: Partial<Record<AgentConfig["backend"], (agent: AgentConfig) => Backend>>;
}

/** Backends whose tool loop the daemon runs (ModelBackend): the ones a turn's ToolBox reaches. */
export function runsDaemonTools(backend: AgentConfig["backend"]): boolean {
    return backend === "anthropic" || backend === "openai";
}

/** A backend that fails every turn with the same clear message (a missing key, an unknown kind). */
function failing(message: string): Backend {
    return {
        run: () => Promise.reject(new BackendFailure("backend_error", message)),
    };
}

export function createBackend(agent: AgentConfig, deps: BackendDeps): Backend {
    const retry = deps.retry ?? DEFAULT_RETRY;
    switch (agent.backend) {
        case "anthropic": {
            const keyName = agent.api_key_env ?? "ANTHROPIC_API_KEY";
            // A base_url (a proxy, a local gateway) may need no key; the server will say if it does.
            const key = deps.env[keyName] ?? (agent.base_url ? "not-needed" : undefined);
            if (!key) return failing(`agent "${agent.name}" needs an API key: set ${keyName} in the daemon's environment`);
            return new ModelBackend(new AnthropicClient(agent, key), retry);
        }
        case "openai": {
            const keyName = agent.api_key_env ?? "OPENAI_API_KEY";
            // Local OpenAI-compatible servers (Ollama, vLLM, llama.cpp) take any key.
            const key = deps.env[keyName] ?? (agent.base_url ? "not-needed" : undefined);
            if (!key) return failing(`agent "${agent.name}" needs an API key: set ${keyName} in the daemon's environment, or a base_url`);
            return new ModelBackend(new OpenAiClient(agent, key), retry);
        }
        default: {
            const make = deps.extra?.[agent.backend];
            return make ? make(agent) : failing(`agent "${agent.name}": the ${agent.backend} backend is not available in this build`);
        }
    }
}
