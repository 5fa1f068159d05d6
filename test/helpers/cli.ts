/** Running `lodge` commands as a person does: the built bundle in a child process, in a clean environment. */
import { spawn } from "node:child_process";
import { LODGE_BIN, testEnv } from "./daemon";

export interface CommandResult {
    code: number | null;
    out: string;
    err: string;
}

/** Runs a lodge command to its end. Asynchronous, so servers in this process (fakes) can answer it. */
export function lodge(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CommandResult> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [LODGE_BIN, ...args], { env: testEnv(env), cwd, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
        child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
        child.once("close", (code) => resolve({ code, out, err }));
    });
}
