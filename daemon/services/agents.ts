/** The configured agents and their backends, created once per agent on first use. */
import { LodgeError } from "../../shared/errors";
import type { AgentInfo, AgentsResponse } from "../../shared/protocol/api";
import { howToAddAgent } from "../agent-detect";
import { createBackend, type BackendDeps } from "../backends/registry";
import type { Backend } from "../backends/types";
import type { AgentConfig, LodgeConfig } from "../config";
import { agentProblem } from "./agent-readiness";

export class AgentRegistry {
    private readonly backends = new Map<string, Backend>();

    constructor(
        private readonly config: LodgeConfig,
        private readonly deps: BackendDeps,
        private readonly configPath: string,
    ) {}

    list(): AgentsResponse {
        const agents: AgentInfo[] = Object.values(this.config.agents).map((a) => {
            const info: AgentInfo = { name: a.name, backend: a.backend, model: a.model, description: a.description };
            // Only a problem is reported: an agent that is ready keeps the SPEC's four fields.
            const problem = agentProblem(a, this.deps.env);
            return problem === null ? info : { ...info, ready: false, problem };
        });
        return { agents, default_agent: this.config.default_agent };
    }

    /** The agent a turn runs: the request's, else the note's, else the default. */
    resolve(requested: string | undefined): AgentConfig {
        const names = Object.keys(this.config.agents);
        if (names.length === 0) throw new LodgeError("no_agent", howToAddAgent(this.configPath));
        const name = requested ?? this.config.default_agent ?? names[0]!;
        const agent = Object.hasOwn(this.config.agents, name) ? this.config.agents[name] : undefined;
        if (!agent) throw new LodgeError("unknown_agent", `no agent named "${name}"; agents: ${names.join(", ")}`);
        return agent;
    }

    backend(agent: AgentConfig): Backend {
        let backend = this.backends.get(agent.name);
        if (!backend) {
            backend = createBackend(agent, this.deps);
            this.backends.set(agent.name, backend);
        }
        return backend;
    }
}
