/**
 * Mirrors `main` into the blocks table from the diff between the last synced commit and the new one:
 * changed block files are upserted, deleted ones detached. Only the changed blobs are read, so a push
 * that touches one of a thousand blocks costs one blob, not a thousand.
 */
import type { Logger } from "../log";
import type { BlockInput, BlockStore } from "../store/blocks";
import { isBlockPath, labelOf, parseBlockFile } from "./block-file";
import { GitCommandError } from "./git-process";
import { type Change, EMPTY_TREE, type MemoryRepo } from "./repository";

export interface SyncResult {
    commit: string | null;
    upserted: number;
    detached: number;
}

/** Brings `agent`'s blocks to `main`. The caller holds the repository's lock. */
export async function syncBlocks(repo: MemoryRepo, store: BlockStore, agent: string, log: Logger): Promise<SyncResult> {
    const head = await repo.head();
    const from = await store.syncedCommit(agent);
    if (head === null || head === from) return { commit: head, upserted: 0, detached: 0 };
    let changes: Change[];
    let full = from === null;
    try {
        changes = await repo.diff(from ?? EMPTY_TREE, head);
    } catch (err) {
        // The synced commit is gone (history rewritten and collected): read the whole tree instead.
        if (!(err instanceof GitCommandError)) throw err;
        log.warn(`memory ${agent}: last synced commit ${from} is unreadable; resyncing from ${head}`);
        changes = await repo.diff(EMPTY_TREE, head);
        full = true;
    }
    const blocks = changes.filter((c) => isBlockPath(c.path));
    const present = blocks.filter((c) => c.status !== "D" && c.mode.startsWith("100"));
    const contents = await repo.readBlobs(present.map((c) => c.blob!));
    const upserts: BlockInput[] = [];
    for (const change of present) {
        const parsed = parseBlockFile(change.path, contents.get(change.blob!) ?? Buffer.alloc(0));
        // Pushes are checked before they land; a bad file here came another way. Keep the old block.
        if (parsed.problems) log.warn(`memory ${agent}: ${change.path} not synced: ${parsed.problems.join("; ")}`);
        else upserts.push(parsed.block);
    }
    const detach = blocks.filter((c) => c.status === "D" || !c.mode.startsWith("100")).map((c) => labelOf(c.path));
    await store.apply(agent, { upserts, detach, commit: head, detachOthers: full && from !== null });
    return { commit: head, upserted: upserts.length, detached: detach.length };
}
