/**
 * `lodge service` (docs/cli.md) run as a person runs it, with stand-ins for `systemctl` and `launchctl`
 * first on PATH that record their arguments: the unit or plist written from the flags given (checked by
 * `systemd-analyze verify` and Python's plistlib, parsers the project did not write), the service
 * manager's calls, status and uninstall.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LODGE_BIN, ROOT, scratch } from "../helpers/daemon";

interface Setup {
    home: string;
    data: string;
    vault: string;
    calls: string;
    env: NodeJS.ProcessEnv;
}

function setup(platform: "linux" | "darwin"): Setup {
    const home = scratch("lodge-service-");
    const bin = join(home, "fakebin");
    mkdirSync(bin);
    const calls = join(home, "calls.log");
    for (const tool of ["systemctl", "launchctl"]) {
        // Records its arguments; `is-active` and `print` answer as for a running service.
        writeFileSync(
            join(bin, tool),
            `#!/bin/sh\necho "${tool} $*" >> "${calls}"\ncase "$*" in *is-active*) echo active;; esac\nexit 0\n`,
        );
        chmodSync(join(bin, tool), 0o755);
    }
    const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: home, LODGE_SERVICE_PLATFORM: platform };
    return { home, data: join(home, "data"), vault: join(home, "Notes"), calls, env };
}

function lodge(s: Setup, args: string[]): { code: number | null; out: string } {
    const r = spawnSync(process.execPath, [LODGE_BIN, "service", ...args], { env: s.env, encoding: "utf8" });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const callsOf = (s: Setup): string[] => (existsSync(s.calls) ? readFileSync(s.calls, "utf8").trim().split("\n") : []);

describe("lodge service (docs/cli.md)", function () {
    this.timeout(30_000);

    it("systemd: install writes a user unit from the flags, enables and starts it; status; uninstall removes it", () => {
        const s = setup("linux");
        const r = lodge(s, ["install", "--vault", s.vault, "--data", s.data, "--port", "9911"]);
        assert.equal(r.code, 0, r.out);
        const unit = join(s.home, ".config", "systemd", "user", "lodge.service");
        const text = readFileSync(unit, "utf8");
        const exec = /^ExecStart=(.+)$/m.exec(text)![1]!;
        assert.equal(
            exec,
            [
                process.execPath,
                `--env-file=${join(s.data, "service.env")}`,
                join(ROOT, "bin", "lodge.cjs"),
                "start",
                "--vault",
                s.vault,
                "--data",
                s.data,
                "--port",
                "9911",
            ]
                .map((a) => `"${a}"`)
                .join(" "),
        );
        assert.match(text, /^WantedBy=default\.target$/m);
        assert.equal(statSync(join(s.data, "service.env")).mode & 0o777, 0o600, "the keys' file is the person's alone");
        assert.deepEqual(callsOf(s), ["systemctl --user daemon-reload", "systemctl --user enable --now lodge.service"]);
        assert.match(r.out, /journalctl --user -u lodge\.service/);
        if (existsSync("/usr/bin/systemd-analyze")) {
            const verify = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
            assert.equal(verify.status, 0, verify.stderr);
        }

        writeFileSync(join(s.data, "daemon.json"), JSON.stringify({ url: "http://127.0.0.1:9911", pid: 1, version: "x" }));
        const status = lodge(s, ["status", "--data", s.data]);
        assert.equal(status.code, 0);
        assert.match(status.out, /^running at http:\/\/127\.0\.0\.1:9911/);

        const gone = lodge(s, ["uninstall"]);
        assert.equal(gone.code, 0, gone.out);
        assert.ok(!existsSync(unit));
        assert.deepEqual(callsOf(s).slice(-2), ["systemctl --user disable --now lodge.service", "systemctl --user daemon-reload"]);
        const after = lodge(s, ["status"]);
        assert.equal(after.code, 1);
        assert.match(after.out, /^not installed/);
    });

    it("launchd: install writes a LaunchAgent plist that plistlib reads, and bootstraps it; uninstall boots it out", () => {
        const s = setup("darwin");
        const r = lodge(s, ["install", "--vault", s.vault, "--data", s.data]);
        assert.equal(r.code, 0, r.out);
        const plist = join(s.home, "Library", "LaunchAgents", "md.lodge.daemon.plist");
        const parsed = JSON.parse(
            execFileSync("python3", ["-c", "import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))", plist], {
                encoding: "utf8",
            }),
        );
        assert.equal(parsed.Label, "md.lodge.daemon");
        assert.deepEqual(parsed.ProgramArguments, [
            process.execPath,
            `--env-file=${join(s.data, "service.env")}`,
            join(ROOT, "bin", "lodge.cjs"),
            "start",
            "--vault",
            s.vault,
            "--data",
            s.data,
            "--port",
            "8765",
        ]);
        assert.equal(parsed.RunAtLoad, true);
        assert.equal(parsed.StandardOutPath, join(s.home, "Library", "Logs", "Lodge", "lodge.log"));
        const uid = process.getuid!();
        assert.deepEqual(callsOf(s), [`launchctl bootout gui/${uid}/md.lodge.daemon`, `launchctl bootstrap gui/${uid} ${plist}`]);
        assert.equal(lodge(s, ["uninstall"]).code, 0);
        assert.ok(!existsSync(plist));
        assert.equal(callsOf(s).at(-1), `launchctl bootout gui/${uid}/md.lodge.daemon`);
    });

    it("a service manager that fails is reported with its own message, exit 1", () => {
        const s = setup("linux");
        writeFileSync(join(s.home, "fakebin", "systemctl"), "#!/bin/sh\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n");
        const r = lodge(s, ["install", "--vault", s.vault, "--data", s.data]);
        assert.equal(r.code, 1);
        assert.match(r.out, /^lodge: systemctl --user daemon-reload failed: Failed to connect to bus: No medium found$/m);
    });
});
