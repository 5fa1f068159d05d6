/**
 * Mirrors `main` into the blocks table from the diff between the last synced commit and the new one:
 * changed block files are upserted, deleted ones detached. Only the changed blobs are read, so a push
 * that touches one of a thousand blocks costs one blob, not a thousand; and after a push, the diff and
 * the blocks its check already parsed are reused rather than read again.
 */
import type { Logger } from "../log";
import type { BlockInput, BlockStore } from "../store/blocks";
import { type BlockFile, isBlockPath, labelOf, parseBlockFile } from "./block-file";
import { GitCommandError } from "./git-process";
import { type Change, EMPTY_TREE, type MemoryRepo } from "./repository";

/** What checking a push learned: its diff, and the blocks it parsed (by path, with their blob). */
export interface PushDigest {
    from: string;
    to: string;
    changes: Change[];
    blocks: Map<string, { blob: string; block: BlockFile }>;
}

export interface SyncResult {
    commit: string | null;
    upserted: number;
    detached: number;
}

/** Brings `agent`'s blocks to `main`. The caller holds the repository's lock. */
export async function syncBlocks(
    repo: MemoryRepo,
    store: BlockStore,
    agent: string,
    log: Logger,
    digest?: PushDigest,
): Promise<SyncResult> {
    const head = await repo.head();
    const from = await store.syncedCommit(agent);
    if (head === null || head === from) return { commit: head, upserted: 0, detached: 0 };
    const reuse = digest && digest.to === head && digest.from === (from ?? EMPTY_TREE) ? digest : undefined;
    let changes: Change[];
    let full = from === null;
    try {
        changes = reuse?.changes ?? (await repo.diff(from ?? EMPTY_TREE, head));
    } catch (err) {
        // The synced commit is gone (history rewritten and collected): read the whole tree instead.
        if (!(err instanceof GitCommandError)) throw err;
        log.warn(`memory ${agent}: last synced commit ${from} is unreadable; resyncing from ${head}`);
        changes = await repo.diff(EMPTY_TREE, head);
        full = true;
    }
    const blocks = changes.filter((c) => isBlockPath(c.path));
    const present = blocks.filter((c) => c.status !== "D" && c.mode.startsWith("100"));
    const known = (c: Change): BlockFile | undefined => {
        const seen = reuse?.blocks.get(c.path);
        return seen && seen.blob === c.blob ? seen.block : undefined;
    };
    const contents = await repo.readBlobs(present.filter((c) => !known(c)).map((c) => c.blob!));
    const upserts: BlockInput[] = [];
    for (const change of present) {
        const block = known(change);
        if (block) {
            upserts.push(block);
            continue;
        }
        const parsed = parseBlockFile(change.path, contents.get(change.blob!) ?? Buffer.alloc(0));
        // Pushes are checked before they land; a bad file here came another way. Keep the old block.
        if (parsed.problems) log.warn(`memory ${agent}: ${change.path} not synced: ${parsed.problems.join("; ")}`);
        else upserts.push(parsed.block);
    }
    const detach = blocks.filter((c) => c.status === "D" || !c.mode.startsWith("100")).map((c) => labelOf(c.path));
    await store.apply(agent, { upserts, detach, commit: head, detachOthers: full && from !== null });
    return { commit: head, upserted: upserts.length, detached: detach.length };
}
