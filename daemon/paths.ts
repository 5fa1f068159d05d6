/** Where things live on disk: the data folder's defaults and the files inside it (docs/cli.md). */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
    return resolve(env.LODGE_HOME || join(homedir(), ".local", "share", "lodge"));
}

export const dataFiles = (data: string) => ({
    database: join(data, "lodge.db"),
    config: join(data, "config.yaml"),
    pluginToken: join(data, "plugin-token"),
    daemonInfo: join(data, "daemon.json"),
    /** Held by the running daemon (docs/daemon.md); see store/daemon-lock.ts. */
    lock: join(data, "daemon.lock"),
    memory: join(data, "memory"),
    /** Touched while the daemon watches; its time says until when changes were seen (watch/missed-changes.ts). */
    watchSeen: join(data, "watch-seen"),
});

/** The package's root (where package.json, main.js and manifest.json are), from source or from dist/. */
export function packageRoot(): string {
    let dir = __dirname;
    for (;;) {
        const pkg = join(dir, "package.json");
        if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "obsidian-lodge") return dir;
        const up = dirname(dir);
        if (up === dir) throw new Error("cannot find the lodge package root");
        dir = up;
    }
}
