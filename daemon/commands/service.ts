/**
 * `lodge service install|uninstall|status` (docs/cli.md): the daemon as a per-user service that starts at
 * login — a systemd user unit on Linux, a launchd agent on macOS — managed with the platform's own
 * `systemctl --user` / `launchctl`. The unit texts are in service/units.ts; this file writes them and
 * calls the service manager.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { LodgeError } from "../../shared/errors";
import { dataFiles, defaultDataDir, packageRoot } from "../paths";
import { LAUNCHD_LABEL, launchdPlist, type ServiceSpec, SYSTEMD_UNIT, systemdUnit } from "../service/units";

export interface ServiceOptions {
    op: "install" | "uninstall" | "status";
    vault?: string;
    data?: string;
    port?: number;
    out: (line: string) => void;
    env?: NodeJS.ProcessEnv;
}

type Manager = "systemd" | "launchd";

const ENV_FILE_TEXT = [
    "# Environment of the Lodge service (lodge service install): the agents' API keys, one per line, e.g.",
    "# ANTHROPIC_API_KEY=sk-ant-...",
    "# A service does not see your login shell's variables. Restart the service after a change.",
    "",
].join("\n");

function manager(env: NodeJS.ProcessEnv): Manager {
    // LODGE_SERVICE_PLATFORM is a developer knob: tests write a launchd agent on Linux.
    const platform = env.LODGE_SERVICE_PLATFORM ?? process.platform;
    if (platform === "linux") return "systemd";
    if (platform === "darwin") return "launchd";
    throw new LodgeError(
        "bad_request",
        `lodge service knows systemd (Linux) and launchd (macOS), not ${platform}: run \`lodge start\` from your system's own start-up mechanism`,
    );
}

function paths(env: NodeJS.ProcessEnv) {
    const home = env.HOME ?? homedir();
    const config = env.XDG_CONFIG_HOME ?? join(home, ".config");
    return {
        systemd: join(config, "systemd", "user", SYSTEMD_UNIT),
        launchd: join(home, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`),
        launchdLog: join(home, "Library", "Logs", "Lodge", "lodge.log"),
    };
}

/** Runs the service manager; its own message when it fails. */
function run(env: NodeJS.ProcessEnv, command: string, args: string[]): { ok: boolean; out: string } {
    const r = spawnSync(command, args, { env, encoding: "utf8" });
    if (r.error)
        return { ok: false, out: (r.error as NodeJS.ErrnoException).code === "ENOENT" ? `${command} was not found` : r.error.message };
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

function must(result: { ok: boolean; out: string }, what: string): void {
    if (!result.ok) throw new LodgeError("internal_error", `${what} failed${result.out ? `: ${result.out}` : ""}`);
}

const uid = (): number => userInfo().uid;

export async function serviceCommand(o: ServiceOptions): Promise<boolean> {
    const env = o.env ?? process.env;
    const kind = manager(env);
    const where = paths(env);
    const data = resolve(o.data ?? defaultDataDir(env));
    if (o.op === "install") {
        const spec: ServiceSpec = {
            node: process.execPath,
            bin: join(packageRoot(), "bin", "lodge.cjs"),
            vault: resolve(o.vault ?? "./vault"),
            data,
            port: o.port ?? 8765,
            envFile: join(data, "service.env"),
            logFile: where.launchdLog,
        };
        await mkdir(data, { recursive: true, mode: 0o700 });
        if (!existsSync(spec.envFile)) await writeFile(spec.envFile, ENV_FILE_TEXT, { mode: 0o600 });
        await chmod(spec.envFile, 0o600);
        const file = kind === "systemd" ? where.systemd : where.launchd;
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, kind === "systemd" ? systemdUnit(spec) : launchdPlist(spec));
        if (kind === "systemd") {
            must(run(env, "systemctl", ["--user", "daemon-reload"]), "systemctl --user daemon-reload");
            must(run(env, "systemctl", ["--user", "enable", "--now", SYSTEMD_UNIT]), `systemctl --user enable --now ${SYSTEMD_UNIT}`);
        } else {
            await mkdir(dirname(where.launchdLog), { recursive: true });
            run(env, "launchctl", ["bootout", `gui/${uid()}/${LAUNCHD_LABEL}`]); // an older one, if loaded
            must(run(env, "launchctl", ["bootstrap", `gui/${uid()}`, file]), `launchctl bootstrap gui/${uid()}`);
        }
        o.out(`installed ${file} and started it: the daemon now starts at login (vault ${spec.vault}, data ${data}, port ${spec.port})`);
        o.out(`API keys for its agents go in ${spec.envFile} (one NAME=value per line), then restart the service`);
        o.out(kind === "systemd" ? `logs: journalctl --user -u ${SYSTEMD_UNIT}` : `logs: ${where.launchdLog}`);
        return true;
    }
    if (o.op === "uninstall") {
        const file = kind === "systemd" ? where.systemd : where.launchd;
        if (kind === "systemd") {
            run(env, "systemctl", ["--user", "disable", "--now", SYSTEMD_UNIT]);
            await rm(file, { force: true });
            run(env, "systemctl", ["--user", "daemon-reload"]);
        } else {
            run(env, "launchctl", ["bootout", `gui/${uid()}/${LAUNCHD_LABEL}`]);
            await rm(file, { force: true });
        }
        o.out(`stopped the service and removed ${file}; ${join(data, "service.env")} and the data folder are kept`);
        return true;
    }
    const file = kind === "systemd" ? where.systemd : where.launchd;
    if (!existsSync(file)) {
        o.out(`not installed (no ${file}): lodge service install`);
        return false;
    }
    const state =
        kind === "systemd"
            ? run(env, "systemctl", ["--user", "is-active", SYSTEMD_UNIT])
            : run(env, "launchctl", ["print", `gui/${uid()}/${LAUNCHD_LABEL}`]);
    const url = await readFile(dataFiles(data).daemonInfo, "utf8").then(
        (t) => (JSON.parse(t) as { url?: string }).url,
        () => undefined,
    );
    if (state.ok) o.out(`running${url ? ` at ${url}` : ""} (${file})`);
    else o.out(`installed but not running (${file})${state.out ? `: ${state.out.split("\n")[0]}` : ""}`);
    return state.ok;
}
