/**
 * `GET /v1/config` (docs/memory.md): what a client needs to set itself up in one answer — the agents and
 * the default agent (as `GET /v1/agents`), every agent's skills (by agent name, each list in the
 * shape of `/skills`' items) and the daemon's version (as `/healthz`) — with a strong ETag that is a hash
 * of the exact bytes sent, so it changes exactly when the answer does (a push that changes a skill)
 * and stays the same across restarts. Knows nothing of Koa.
 */
import { createHash } from "node:crypto";
import type { ConfigResponse, SkillInfo } from "../../shared/protocol/api";
import type { AgentRegistry } from "./agents";

export interface ConfigDeps {
    agents: AgentRegistry;
    /** An agent's skills, as `/skills` lists them. */
    skills: (agent: string) => Promise<SkillInfo[]>;
    version: string;
}

export interface ConfigAnswer {
    /** The JSON body, byte for byte what the ETag was computed from. */
    json: string;
    /** A strong entity tag: `"sha256-<base64url of the body's SHA-256>"`. */
    etag: string;
}

export class ConfigService {
    private known: string | null = null;
    private checks: Promise<void> = Promise.resolve();

    constructor(private readonly deps: ConfigDeps) {}

    /**
     * Something the answer is made of may have changed (a push to a memory repository): `onChange`
     * hears of it, with the new ETag, only when the answer differs from the one last checked. The
     * first call only learns the ETag (the daemon makes it at start).
     */
    recheck(onChange: (etag: string) => void): Promise<void> {
        this.checks = this.checks
            .then(async () => {
                const { etag } = await this.current();
                if (this.known !== null && etag !== this.known) onChange(etag);
                this.known = etag;
            })
            .catch(() => undefined);
        return this.checks;
    }

    async current(): Promise<ConfigAnswer> {
        const { agents, default_agent } = this.deps.agents.list();
        const skills: Record<string, SkillInfo[]> = {};
        for (const agent of agents) skills[agent.name] = await this.deps.skills(agent.name);
        const body: ConfigResponse = { version: this.deps.version, agents, default_agent, skills };
        const json = JSON.stringify(body);
        return { json, etag: `"sha256-${createHash("sha256").update(json).digest("base64url")}"` };
    }
}

/**
 * Whether an `If-None-Match` header names `etag` (RFC 9110 §13.1.2): a list of entity tags or `*`,
 * compared weakly, so `W/"x"` matches `"x"`.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
    if (!header) return false;
    if (header.trim() === "*") return true;
    const opaque = (tag: string): string => tag.trim().replace(/^W\//, "");
    const wanted = opaque(etag);
    return (header.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => opaque(tag) === wanted);
}
