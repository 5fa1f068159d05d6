/**
 * The agents the person can choose from, as the daemon last described them (SPEC §9). `/v1/config`
 * is asked first, with the cached ETag; a daemon without that route answers 404 and `/v1/agents` is
 * used instead. The answer is kept in data.json so the picker works while the daemon is down.
 * Refreshed on start, when Obsidian regains focus and when a stream starts: never on a timer.
 */
import type { AgentInfo } from "../shared/protocol/api";
import type { DaemonClient } from "./daemon-client";
import type { AgentCache } from "./settings";

export interface AgentCacheStore {
    load(): AgentCache | undefined;
    save(cache: AgentCache): Promise<void>;
}

export class AgentCatalog {
    private refreshing: Promise<AgentCache> | null = null;

    constructor(
        private readonly client: DaemonClient,
        private readonly store: AgentCacheStore,
    ) {}

    /** The cached list, possibly empty. */
    get cached(): AgentCache | undefined {
        return this.store.load();
    }

    /** Asks the daemon; concurrent callers share one request. Rejects when the daemon does not answer. */
    refresh(): Promise<AgentCache> {
        this.refreshing ??= this.fetch().finally(() => {
            this.refreshing = null;
        });
        return this.refreshing;
    }

    /** Fresh when the daemon answers, else the cached list; rejects only when there is neither. */
    async list(): Promise<{ cache: AgentCache; fresh: boolean }> {
        try {
            return { cache: await this.refresh(), fresh: true };
        } catch (err) {
            const cache = this.store.load();
            if (cache && cache.agents.length > 0) return { cache, fresh: false };
            throw err;
        }
    }

    /** The agent a new chat gets: the setting, else the daemon's default, else the first one. */
    static pick(defaultAgent: string, cache: AgentCache | undefined): string | null {
        if (defaultAgent !== "") return defaultAgent;
        return cache?.defaultAgent ?? cache?.agents[0]?.name ?? null;
    }

    private async fetch(): Promise<AgentCache> {
        const previous = this.store.load();
        const answer = await this.client.config(previous?.etag);
        let cache: AgentCache;
        if (answer.status === "not_modified" && previous) {
            return previous;
        } else if (answer.status === "ok") {
            cache = { agents: clean(answer.config.agents), defaultAgent: answer.config.default_agent };
            if (answer.etag) cache.etag = answer.etag;
        } else {
            const agents = await this.client.agents();
            cache = { agents: clean(agents.agents), defaultAgent: agents.default_agent };
        }
        if (JSON.stringify(cache) !== JSON.stringify(previous)) await this.store.save(cache);
        return cache;
    }
}

function clean(agents: AgentInfo[]): AgentInfo[] {
    return agents.map((a) => ({ name: a.name, backend: a.backend, model: a.model, description: a.description }));
}
