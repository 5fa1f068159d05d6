import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";

describe("lodge start", () => {
    it("answers /healthz with its version", async () => {
        const child = spawn(process.execPath, [join(__dirname, "..", "..", "bin", "lodge.cjs"), "start", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
        const [chunk] = (await once(child.stdout, "data")) as [Buffer];
        const url = /http:\/\/\S+/.exec(chunk.toString())?.[0];
        assert.ok(url);
        const body = (await (await fetch(`${url}/healthz`)).json()) as { status: string; version: string };
        assert.equal(body.status, "ok");
        child.kill("SIGTERM");
        const [code] = (await once(child, "exit")) as [number];
        assert.equal(code, 0);
    });
});
