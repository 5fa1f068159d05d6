/**
 * An npm registry on 127.0.0.1 for the pack-and-install test, so real `npm install -g` runs without the
 * network. It knows the packages of package-lock.json (every version the lock names) and serves their
 * tarballs straight from npm's own content cache, which `npm install` filled: cacache stores a tarball
 * under content-v2/<algorithm>/<hex digest>, so the lock's `integrity` is the file's address. The packuments
 * carry what npm needs to resolve (dependencies, bin, engines, os, cpu) and nothing else.
 */
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

interface LockEntry {
    version?: string;
    integrity?: string;
    link?: boolean;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, unknown>;
    bin?: Record<string, string>;
    engines?: Record<string, string>;
    os?: string[];
    cpu?: string[];
    hasInstallScript?: boolean;
}

export interface LocalRegistry {
    url: string;
    /** Tarballs asked for that the cache did not hold (a test names them when the install fails). */
    missing: string[];
    close(): Promise<void>;
}

export function npmCacheDir(): string {
    return join(execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim(), "_cacache");
}

function cachedTarball(cache: string, integrity: string): string | undefined {
    const [algorithm, base64] = integrity.split(" ")[0]!.split("-", 2) as [string, string];
    const hex = Buffer.from(base64, "base64").toString("hex");
    const file = join(cache, "content-v2", algorithm, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    return existsSync(file) ? file : undefined;
}

export async function startLocalRegistry(lockPath: string, cache = npmCacheDir()): Promise<LocalRegistry> {
    const lock = JSON.parse(readFileSync(lockPath, "utf8")) as { packages: Record<string, LockEntry> };
    const versions = new Map<string, Map<string, LockEntry>>();
    for (const [path, entry] of Object.entries(lock.packages)) {
        if (!path || entry.link || !entry.version || !entry.integrity) continue;
        const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
        if (!versions.has(name)) versions.set(name, new Map());
        versions.get(name)!.set(entry.version, entry);
    }
    const missing: string[] = [];
    let base = "";
    const server: Server = createServer((req, res) => {
        const path = decodeURIComponent((req.url ?? "/").split("?")[0]!.slice(1));
        const tarball = /^(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path);
        if (tarball) {
            const entry = versions.get(tarball[1]!)?.get(tarball[2]!);
            const file = entry?.integrity ? cachedTarball(cache, entry.integrity) : undefined;
            if (!file) {
                missing.push(path);
                res.writeHead(404).end();
                return;
            }
            res.writeHead(200, { "content-type": "application/octet-stream" });
            createReadStream(file).pipe(res);
            return;
        }
        const known = versions.get(path);
        if (!known) {
            res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
            return;
        }
        const list = [...known.entries()];
        const packument = {
            name: path,
            "dist-tags": { latest: list[list.length - 1]![0] },
            versions: Object.fromEntries(list.map(([version, e]) => [version, manifest(path, version, e, base)])),
        };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(packument));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return {
        url: base,
        missing,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

function manifest(name: string, version: string, e: LockEntry, base: string): Record<string, unknown> {
    const file = `${name.slice(name.lastIndexOf("/") + 1)}-${version}.tgz`;
    return {
        name,
        version,
        dependencies: e.dependencies,
        optionalDependencies: e.optionalDependencies,
        peerDependencies: e.peerDependencies,
        peerDependenciesMeta: e.peerDependenciesMeta,
        bin: e.bin,
        engines: e.engines,
        os: e.os,
        cpu: e.cpu,
        hasInstallScript: e.hasInstallScript,
        dist: { tarball: `${base}${name}/-/${file}`, integrity: e.integrity },
    };
}
