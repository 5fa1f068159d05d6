/**
 * Wiring only: config → store → services → app → listen, and the ordered shutdown (docs/daemon.md, "Shutdown").
 * The graph is daemon-services.ts, the server's life daemon-server.ts, the checks and start-up lines startup.ts.
 */
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { detectAgents } from "./agent-detect";
import type { RetryPolicy } from "./backends/retry";
import { ConfigError, type LodgeConfig, loadConfigFile } from "./config";
import { isWildcard, listen, stopper } from "./daemon-server";
import { buildServices } from "./daemon-services";
import { gitVersion } from "./host-checks";
import { createLogger, type Logger, type LogLevel, routeConsoleWarnings } from "./log";
import { dataFiles } from "./paths";
import { ensurePluginToken, hostName, lockHolder, refuseOpenBind, registerSecrets, StartError, startupLines } from "./startup";
import { DaemonLock } from "./store/daemon-lock";
import type { Db } from "./store/db";
import { RecordingVault } from "./watch/own-writes";
import { Vault } from "./vault/vault";
import { ensureVault } from "./welcome";
import { plural } from "./words";

export interface DaemonOptions {
    vault: string;
    data: string;
    host: string;
    port: number;
    configFile: string;
    /** The person named the config file (--config): a missing file is then an error, not auto-detection. */
    configExplicit?: boolean;
    printToken?: boolean;
    env?: NodeJS.ProcessEnv;
    /** Start-up lines a person reads (stdout for the CLI). */
    say?: (line: string) => void;
    log?: Logger;
    /** `--log-level`: the least severe level the log shows (default info). */
    logLevel?: LogLevel;
    retry?: RetryPolicy;
    /** How long running turns may finish at shutdown before they are stopped (default 4 s, so the exit is within 5 s). */
    shutdownGraceMs?: number;
}

export interface RunningDaemon {
    url: string;
    port: number;
    config: LodgeConfig;
    db: Db;
    close(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
    const data = resolve(options.data);
    const files = dataFiles(data);
    await mkdir(data, { recursive: true, mode: 0o700 });
    // Before anything else touches the data folder: one daemon per data folder (docs/daemon.md).
    const lock = await DaemonLock.take(files.lock);
    if (!lock) throw new StartError(await lockHolder(files.daemonInfo, data));
    try {
        return await startLocked(options, data, lock);
    } catch (err) {
        await lock.release();
        throw err;
    }
}

async function startLocked(options: DaemonOptions, data: string, lock: DaemonLock): Promise<RunningDaemon> {
    const env = options.env ?? process.env;
    const say = options.say ?? ((line: string) => void process.stdout.write(`${line}\n`));
    const log = options.log ?? createLogger({ level: options.logLevel });
    routeConsoleWarnings(log);
    const files = dataFiles(data);

    const loaded = loadConfigFile(options.configFile);
    if (!loaded && options.configExplicit) throw new ConfigError([`${options.configFile}: no such file`]);
    const config = loaded ?? (await detectAgents(env));
    refuseOpenBind(options.host, config.http.allowed_hosts, options.configFile);
    const git = gitVersion(env);
    registerSecrets(config, env);
    const vaultDir = resolve(options.vault);
    const created = await ensureVault(vaultDir, config.chats.folders[0] ?? "Chats");
    // With chats.watch the vault remembers the daemon's own writes, so the watcher never answers them.
    const vault = config.chats.watch ? new RecordingVault(vaultDir) : new Vault(vaultDir);
    const stale = await vault.removeStaleTempFiles();
    if (stale > 0) log.info(`removed ${plural(stale, "stale temporary file")} from the vault`);

    let port = options.port;
    let url = "";
    // A daemon bound to a specific address also answers requests that name that address.
    const ownName = !isWildcard(options.host) && !["127.0.0.1", "localhost", "::1"].includes(options.host);
    const http = {
        ...config.http,
        allowed_hosts: ownName ? [...config.http.allowed_hosts, hostName(options.host)] : config.http.allowed_hosts,
    };
    const services = await buildServices({
        config,
        configFile: options.configFile,
        env,
        log,
        data,
        files,
        vault,
        vaultDir,
        retry: options.retry,
        http,
        url: () => url,
        port: () => port,
    });
    const pluginToken = await ensurePluginToken(services.tokens, files.pluginToken);
    const listening = await listen(services, options.host, options.port, files.daemonInfo);
    ({ port, url } = listening);

    const facts = {
        url,
        vault: vaultDir,
        created,
        data,
        configFile: options.configFile,
        config,
        git: await git,
        tokenFile: files.pluginToken,
    };
    for (const line of startupLines({
        ...facts,
        watching: services.watcher?.describe() ?? null,
        printedToken: options.printToken ? pluginToken : null,
    }))
        say(line);
    // After the start-up lines: the index builds in the background and never delays readiness.
    void services.index.start();
    const close = stopper(services, listening.server, { graceMs: options.shutdownGraceMs ?? 4000, daemonInfo: files.daemonInfo, lock });
    return { url, port, config, db: services.db, close };
}
