/**
 * The package as a person installs it: `npm pack`, then a real `npm install -g` of the tarball into a
 * temporary prefix (from a registry on 127.0.0.1 that serves the locked versions out of npm's cache, since
 * tests have no network), then `lodge --help`, `lodge start --port 0` and `lodge install-plugin` from
 * that prefix's bin. sqlite3 builds from source there, as on a machine where its prebuilt binary cannot be
 * downloaded, so this suite takes a minute or two.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT, scratch } from "../helpers/daemon";
import { startLocalRegistry, type LocalRegistry } from "../helpers/local-registry";

const run = promisify(execFile);

describe("npm pack and a global install of the tarball", function () {
    this.timeout(600_000);
    let dir: string;
    let tarball: string;
    let prefix: string;
    let registry: LocalRegistry;

    before(async () => {
        dir = scratch();
        const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], {
            cwd: ROOT,
            maxBuffer: 1 << 24,
        });
        const [packed] = JSON.parse(stdout) as [{ filename: string }];
        tarball = join(dir, packed.filename);
        registry = await startLocalRegistry(join(ROOT, "package-lock.json"));
        prefix = join(dir, "prefix");
        const env = {
            ...process.env,
            npm_config_registry: registry.url,
            npm_config_cache: join(dir, "npm-cache"),
            // prebuild-install would fetch sqlite3's binary from GitHub; build it here instead.
            npm_config_build_from_source: "true",
            npm_config_audit: "false",
            npm_config_fund: "false",
            npm_config_update_notifier: "false",
        };
        try {
            await run("npm", ["install", "-g", "--prefix", prefix, tarball], { env, maxBuffer: 1 << 26 });
        } catch (e) {
            const err = e as { stderr?: string };
            throw new Error(
                `npm install -g failed (not in the cache: ${registry.missing.join(", ") || "none"}):\n${err.stderr ?? String(e)}`,
            );
        }
    });

    after(async () => {
        await registry?.close();
        // The prefix holds a whole install and its npm cache (~100 MB).
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("packs the built daemon and plugin, and no tests, benchmarks or fixtures", async () => {
        const { stdout } = await run("tar", ["-tzf", tarball]);
        const files = stdout
            .split("\n")
            .filter(Boolean)
            .map((f) => f.replace(/^package\//, ""));
        for (const needed of ["bin/lodge.cjs", "dist/lodge.cjs", "main.js", "manifest.json", "styles.css", "package.json", "README.md"]) {
            assert.ok(files.includes(needed), `${needed} is in the package`);
        }
        const stray = files.filter(
            (f) => /^(test|bench|tools|plugin|daemon|shared|\.ci|\.github)\//.test(f) || /fixture/i.test(f) || /\.ts$/.test(f),
        );
        assert.deepEqual(stray, []);
    });

    it("puts a working `lodge` on the prefix's PATH", async () => {
        const { stdout } = await run(join(prefix, "bin", "lodge"), ["--help"]);
        assert.match(stdout, /Usage: lodge/);
        for (const command of ["start", "install-plugin", "service", "doctor"]) assert.match(stdout, new RegExp(`\\b${command}\\b`));
    });

    it("starts the daemon from the installed package, which answers /healthz", async () => {
        const home = join(dir, "home");
        mkdirSync(home, { recursive: true });
        const child = spawn(
            join(prefix, "bin", "lodge"),
            ["start", "--port", "0", "--data", join(home, "data"), "--vault", join(home, "vault")],
            {
                env: { PATH: process.env.PATH, HOME: home, LODGE_HOME: join(home, "data") },
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
        child.stderr.setEncoding("utf8").on("data", (s: string) => (out += s));
        try {
            const url = await new Promise<string>((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`no "listening on" line in 30 s:\n${out}`)), 30_000);
                child.stdout.on("data", () => {
                    const m = /listening on (\S+)/.exec(out);
                    if (m) {
                        clearTimeout(timer);
                        resolve(m[1]!);
                    }
                });
                child.once("exit", (code) => reject(new Error(`lodge start exited with ${code}:\n${out}`)));
            });
            const health = await fetch(new URL("/healthz", url));
            assert.equal(health.status, 200);
        } finally {
            child.kill("SIGTERM");
            if (child.exitCode === null) await once(child, "exit");
        }
        assert.equal(child.exitCode, 0, out);
    });

    it("installs the plugin files it carries into a vault", async () => {
        const vault = join(dir, "vault");
        mkdirSync(join(vault, ".obsidian"), { recursive: true });
        const home = join(dir, "home2");
        await run(join(prefix, "bin", "lodge"), ["install-plugin", "--vault", vault, "--data", join(home, "data")], {
            env: { PATH: process.env.PATH, HOME: home },
        });
        const target = join(vault, ".obsidian", "plugins", "lodge");
        assert.deepEqual(readdirSync(target).sort(), ["data.json", "main.js", "manifest.json", "styles.css"]);
        for (const file of ["main.js", "manifest.json", "styles.css"]) {
            assert.ok(readFileSync(join(target, file)).equals(readFileSync(join(ROOT, file))), `${file} is the packed build`);
        }
        const settings = JSON.parse(readFileSync(join(target, "data.json"), "utf8")) as { token?: string };
        assert.match(settings.token ?? "", /\S{16,}/);
    });
});
