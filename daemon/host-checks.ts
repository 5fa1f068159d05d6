/**
 * What `lodge start` and `lodge doctor` both ask of the machine: is git there, who holds a port, is a
 * daemon of this data folder running. One wording for each answer, so both commands say the same.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";

export const GIT_MISSING = "install git: agent memory needs it";

/** `git --version`, or null when git cannot be run. */
export function gitVersion(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
    return new Promise((resolve) => {
        execFile("git", ["--version"], { env, timeout: 5000 }, (err, stdout) => resolve(err ? null : stdout.trim()));
    });
}

export interface DaemonInfo {
    url: string;
    pid: number;
    version?: string;
}

/** `<data>/daemon.json`, when it names a process that is still alive. */
export async function runningDaemon(daemonInfoFile: string): Promise<DaemonInfo | null> {
    let info: Partial<DaemonInfo>;
    try {
        info = JSON.parse(await readFile(daemonInfoFile, "utf8")) as Partial<DaemonInfo>;
    } catch {
        return null;
    }
    if (typeof info.url !== "string" || typeof info.pid !== "number") return null;
    return isAlive(info.pid) ? (info as DaemonInfo) : null;
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** Whether a Lodge daemon answers at `url` (its /healthz needs no token). */
export async function lodgeAnswers(url: string): Promise<boolean> {
    try {
        const res = await fetch(`${url.replace(/\/$/, "")}/healthz`, { signal: AbortSignal.timeout(2000) });
        const body = (await res.json()) as { status?: unknown; version?: unknown };
        return res.ok && body.status === "ok" && typeof body.version === "string";
    } catch {
        return false;
    }
}

/** Whether `port` can be listened on at `host` right now. */
export function portFree(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = createServer();
        server.once("error", () => resolve(false));
        server.listen(port, host, () => server.close(() => resolve(true)));
    });
}

/** "by a Lodge daemon, pid N" / "by a Lodge daemon" / "by another program". */
export async function portHolder(host: string, port: number, own: DaemonInfo | null): Promise<string> {
    if (own && portOf(own.url) === port) return `by a Lodge daemon, pid ${own.pid}`;
    const loopback = ["0.0.0.0", "::", ""].includes(host) ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
    return (await lodgeAnswers(`http://${loopback}:${port}`)) ? "by a Lodge daemon of another data folder" : "by another program";
}

export function portInUse(port: number, holder: string): string {
    return `port ${port} is in use (${holder}); choose another with --port, or --port 0 for any free port`;
}

export function portOf(url: string): number | null {
    try {
        const u = new URL(url);
        return Number(u.port || (u.protocol === "https:" ? 443 : 80));
    } catch {
        return null;
    }
}
