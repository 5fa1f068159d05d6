/**
 * The daemon's HTTP server from listening to the end: the bind (a taken port is a sentence naming who
 * holds it), `<data>/daemon.json`, and the ordered shutdown of docs/daemon.md, "Shutdown".
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { DaemonServices } from "./daemon-services";
import { portHolder, portInUse, runningDaemon } from "./host-checks";
import { hostName, StartError } from "./startup";
import type { DaemonLock } from "./store/daemon-lock";
import { VERSION } from "./version";

export interface Listening {
    server: Server;
    port: number;
    url: string;
}

/** Listens and writes daemon.json; on failure closes what the services opened and throws a StartError for a taken port. */
export async function listen(services: DaemonServices, host: string, port: number, daemonInfo: string): Promise<Listening> {
    const server: Server = createServer(services.app.callback() as (req: IncomingMessage, res: ServerResponse) => void);
    try {
        await new Promise<void>((resolveListen, reject) => {
            server.once("error", reject);
            server.listen(port, host, () => resolveListen());
        });
    } catch (err) {
        await services.watcher?.close();
        await services.memory.close();
        await services.db.close();
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
        throw new StartError(portInUse(port, await portHolder(host, port, await runningDaemon(daemonInfo))));
    }
    const bound = (server.address() as AddressInfo).port;
    // A wildcard bind is reached on loopback; its own address would fail the Host check.
    const url = `http://${isWildcard(host) ? "127.0.0.1" : hostName(host)}:${bound}`;
    await writeFile(daemonInfo, `${JSON.stringify({ url, pid: process.pid, version: VERSION })}\n`);
    return { server, port: bound, url };
}

export function isWildcard(host: string): boolean {
    return ["0.0.0.0", "::", ""].includes(host);
}

/** The stop, once however often it is asked for: within SPEC's 5 s with the default grace. */
export function stopper(
    s: DaemonServices,
    server: Server,
    o: { graceMs: number; daemonInfo: string; lock: DaemonLock },
): () => Promise<void> {
    let closing: Promise<void> | null = null;
    return () =>
        (closing ??= (async () => {
            await s.watcher?.close();
            await s.index.close();
            const stopped = new Promise<void>((r) => server.close(() => r()));
            // Turns get 4 s to finish; then they are stopped and write what arrived, so the whole
            // shutdown stays within SPEC's 5 s (docs/daemon.md, "Shutdown").
            await s.turns.shutdown(o.graceMs);
            await s.mcpClients.close();
            // Streams end with their terminal event still in flight: let them drain, closing each
            // connection as it goes idle, and cut what is left after a second.
            const drain = setInterval(() => server.closeIdleConnections(), 25);
            const cut = setTimeout(() => server.closeAllConnections(), 1000);
            await stopped;
            clearInterval(drain);
            clearTimeout(cut);
            await s.memory.close();
            await s.db.close();
            // daemon.json is removed only by the daemon that wrote it (docs/daemon.md).
            const info = await readFile(o.daemonInfo, "utf8").then(
                (t) => JSON.parse(t) as { pid?: unknown },
                () => null,
            );
            if (info?.pid === process.pid) await rm(o.daemonInfo, { force: true });
            await o.lock.release();
        })());
}
