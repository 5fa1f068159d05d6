/**
 * What the CLI prints when a command fails: a sentence a person can act on. Raw system error codes
 * (ENOENT, EADDRINUSE…) and stack traces never reach them; LODGE_DEBUG=1 shows the stack for a bug report.
 */
import { LodgeError } from "../shared/errors";
import { ConfigError } from "./config";
import { StartError } from "./startup";

const SYSTEM: Record<string, (path: string) => string> = {
    ENOENT: (p) => `${p || "a file or folder"} does not exist`,
    EACCES: (p) => `no permission to use ${p || "a file or folder"}: check its owner and mode`,
    EPERM: (p) => `the system refused access to ${p || "a file or folder"}`,
    EEXIST: (p) => `${p || "a file"} already exists`,
    ENOTDIR: (p) => `${p || "a path"} goes through a file where a folder is expected`,
    EISDIR: (p) => `${p || "a path"} is a folder where a file is expected`,
    ENOSPC: () => "the disk is full",
    EROFS: (p) => `${p || "the folder"} is on a read-only file system`,
    EADDRNOTAVAIL: () => "this machine has no such address to listen on: check --host",
    EADDRINUSE: () => "the port is in use: choose another with --port, or --port 0 for any free port",
};

export function personMessage(err: unknown, env: NodeJS.ProcessEnv = process.env): string {
    if (err instanceof ConfigError || err instanceof LodgeError || err instanceof StartError) return err.message;
    const e = err as NodeJS.ErrnoException & { path?: string; address?: string };
    const system = e && typeof e.code === "string" ? SYSTEM[e.code] : undefined;
    if (system) return system(e.path ?? "");
    const message = err instanceof Error ? err.message : String(err);
    if (env.LODGE_DEBUG && err instanceof Error && err.stack) return err.stack;
    // An unexpected failure: its message without the stack, and where to get more.
    return `${message.split("\n")[0]} (set LODGE_DEBUG=1 to see where it happened)`;
}
