/**
 * Stopping a CLI run for good. The CLI runs in a process group of its own, but it starts each Bash
 * tool in yet another group, and on SIGTERM it only interrupts the running tool and carries on with
 * the next model call. So a stop freezes the CLI's group, lists every descendant, and kills all of
 * their groups at once.
 */
import { execFile } from "node:child_process";

interface Proc {
    pid: number;
    ppid: number;
    pgid: number;
}

function listProcesses(): Promise<Proc[]> {
    return new Promise((resolve) => {
        execFile("ps", ["-A", "-o", "pid=,ppid=,pgid="], { timeout: 5000 }, (err, stdout) => {
            if (err) return resolve([]);
            const procs: Proc[] = [];
            for (const line of stdout.split("\n")) {
                const [pid, ppid, pgid] = line.trim().split(/\s+/).map(Number);
                if (pid && ppid !== undefined && pgid !== undefined) procs.push({ pid, ppid, pgid });
            }
            resolve(procs);
        });
    });
}

function signal(target: number, sig: NodeJS.Signals): void {
    try {
        process.kill(target, sig);
    } catch {
        // already gone
    }
}

/** Kills the group led by `leader` and every process descended from it, with their groups. */
export async function killTree(leader: number): Promise<void> {
    // Frozen, nothing in the group can start another process while the tree is listed.
    signal(-leader, "SIGSTOP");
    const procs = await listProcesses();
    const children = new Map<number, Proc[]>();
    for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    // The CLI is detached (a session of its own), so no descendant can be in the daemon's group.
    const groups = new Set<number>([leader]);
    const pids = new Set<number>();
    const stack = [leader, ...procs.filter((p) => p.pgid === leader).map((p) => p.pid)];
    while (stack.length > 0) {
        const pid = stack.pop()!;
        if (pids.has(pid)) continue;
        pids.add(pid);
        for (const c of children.get(pid) ?? []) {
            groups.add(c.pgid);
            stack.push(c.pid);
        }
    }
    for (const g of groups) if (g > 1 && g !== process.pid) signal(-g, "SIGKILL");
    for (const p of pids) if (p > 1 && p !== process.pid) signal(p, "SIGKILL");
}
