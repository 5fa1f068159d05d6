/**
 * The daemon's configuration as the plugin last received it (docs/memory.md): `GET /v1/config` kept with
 * its ETag in data.json, so the agent picker works while the daemon is down, also after Obsidian
 * restarts. Refreshed with `If-None-Match` on start, when Obsidian regains focus and when a stream
 * starts: never on a timer (a timer polling a local server is what eslint's no-periodic-network
 * flags, and the answer only changes when the person changes the daemon).
 */
import type { AgentInfo } from "../shared/protocol/api";
import type { DaemonClient } from "./daemon-client";
import type { ConfigCache } from "./settings";

export interface ConfigCacheStore {
    load(): ConfigCache | undefined;
    save(cache: ConfigCache): Promise<void>;
}

export class AgentCatalog {
    private refreshing: Promise<ConfigCache> | null = null;

    constructor(
        private readonly client: DaemonClient,
        private readonly store: ConfigCacheStore,
    ) {}

    /** The cached answer, if the daemon ever gave one. */
    get cached(): ConfigCache | undefined {
        return this.store.load();
    }

    /** The cached agents, possibly none. */
    get agents(): AgentInfo[] {
        return this.store.load()?.config.agents ?? [];
    }

    /** Asks the daemon; concurrent callers share one request. Rejects when the daemon does not answer. */
    refresh(): Promise<ConfigCache> {
        this.refreshing ??= this.fetch().finally(() => {
            this.refreshing = null;
        });
        return this.refreshing;
    }

    /**
     * The daemon said its configuration changed. The seam for `/v1/events` (docs/daemon.md): when the plugin
     * follows that stream, its config event calls this.
     */
    configChanged(): Promise<ConfigCache> {
        return this.refresh();
    }

    /**
     * Fresh when the daemon answers, else the cached list with the reason it is not fresh (the
     * daemon is down, or refused the token); rejects only when there is no list at all.
     */
    async list(): Promise<{ agents: AgentInfo[]; stale: unknown }> {
        try {
            return { agents: (await this.refresh()).config.agents, stale: null };
        } catch (err) {
            if (this.agents.length > 0) return { agents: this.agents, stale: err };
            throw err;
        }
    }

    /** The agent a new chat gets: the setting, else the daemon's default, else the first one. */
    static pick(defaultAgent: string, cache: ConfigCache | undefined): string | null {
        if (defaultAgent !== "") return defaultAgent;
        return cache?.config.default_agent ?? cache?.config.agents[0]?.name ?? null;
    }

    private async fetch(): Promise<ConfigCache> {
        const previous = this.store.load();
        const answer = await this.client.config(previous?.etag ?? undefined);
        if (answer.status === "not_modified") {
            // A 304 only ever answers the ETag sent, so there is a previous answer.
            if (previous) return previous;
            throw new Error("The daemon answered 304 Not Modified to a request without an ETag.");
        }
        return this.keep({ config: answer.config, etag: answer.etag });
    }

    private async keep(cache: ConfigCache): Promise<ConfigCache> {
        await this.store.save(cache);
        return cache;
    }
}
