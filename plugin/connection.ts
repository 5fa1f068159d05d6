/**
 * What the plugin knows of its link to the daemon, from the answers its requests get: reachable or
 * not (the turn manager's offline flag), token accepted or refused. Every request that reaches the
 * daemon reports here, so the status bar says what is wrong, and "Check connection" (the command, the
 * status bar item, the settings tab's button) reads the same facts.
 */
import type { AgentInfo } from "../shared/protocol/api";
import type { AgentCatalog } from "./agent-catalog";
import { type DaemonClient, DaemonError, DaemonUnreachableError } from "./daemon-client";

export interface ConnectionDeps {
    client: DaemonClient;
    catalog: AgentCatalog;
    /** The turn manager's offline flag (it owns the idle/streaming/offline status). */
    online: (reachable: boolean) => void;
    tokenRefused: (refused: boolean) => void;
    /** The one error funnel: a Notice. */
    report: (error: unknown) => void;
}

/** What "Check connection" found: who answered, or the error (its sentence is display-error's). */
export type CheckResult = { ok: true; message: string } | { ok: false; error: unknown };

/** The daemon answered 401. install-plugin writes a fresh token into the plugin's data.json. */
export const TOKEN_REFUSED = "the daemon refused the plugin's token: run `lodge install-plugin` or paste a token in Settings → Lodge";

/** 401: the daemon does not know the token the plugin sent. */
export function isTokenRefused(error: unknown): boolean {
    return error instanceof DaemonError && error.status === 401;
}

export class Connection {
    private refused = false;

    constructor(private readonly deps: ConnectionDeps) {}

    /** A request got an answer from the daemon with the plugin's token. */
    answered(): void {
        this.deps.online(true);
        this.setRefused(false);
    }

    /** A request failed: records what that says of the connection. */
    failed(error: unknown): void {
        if (error instanceof DaemonUnreachableError) this.deps.online(false);
        else if (error instanceof DaemonError) this.deps.online(true);
        if (isTokenRefused(error)) this.setRefused(true);
    }

    /**
     * Refreshes the cached configuration in the background (start, focus, stream start). A refused
     * token is reported once when it starts being refused, not at every focus.
     */
    refresh(): void {
        const wasRefused = this.refused;
        this.deps.catalog.refresh().then(
            () => this.answered(),
            (err: unknown) => {
                this.failed(err);
                if (isTokenRefused(err) && !wasRefused) this.deps.report(err);
            },
        );
    }

    /** Asks the daemon who it is and what agents it has, token included. */
    async check(): Promise<CheckResult> {
        const { client, catalog } = this.deps;
        try {
            const health = await client.health();
            const { config } = await catalog.refresh();
            this.answered();
            return { ok: true, message: `Connected to Lodge ${health.version} at ${client.baseUrl}. Agents: ${agentList(config.agents)}.` };
        } catch (err) {
            this.failed(err);
            return { ok: false, error: err };
        }
    }

    private setRefused(refused: boolean): void {
        if (refused === this.refused) return;
        this.refused = refused;
        this.deps.tokenRefused(refused);
    }
}

function agentList(agents: AgentInfo[]): string {
    if (agents.length === 0) return "none yet";
    return agents.map((a) => (a.ready === false ? `${a.name} (${a.problem ?? "not ready"})` : a.name)).join(", ");
}
