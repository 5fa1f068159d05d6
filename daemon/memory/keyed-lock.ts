/**
 * One queue per repository: a push (receive-pack and its sync) and an agent's edit never interleave,
 * and each waits its turn instead of failing (docs/memory.md).
 */
export class KeyedLock {
    private readonly tails = new Map<string, Promise<void>>();

    /** Waits for the key's earlier holders; resolves with the function that releases it. */
    async acquire(key: string): Promise<() => void> {
        const previous = this.tails.get(key) ?? Promise.resolve();
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        const tail = previous.then(() => held);
        this.tails.set(key, tail);
        await previous;
        let released = false;
        return () => {
            if (released) return;
            released = true;
            release();
            if (this.tails.get(key) === tail) this.tails.delete(key);
        };
    }

    async with<T>(key: string, fn: () => Promise<T>): Promise<T> {
        const release = await this.acquire(key);
        try {
            return await fn();
        } finally {
            release();
        }
    }

    /** Resolves once every holder so far has released (for shutdown). */
    async idle(): Promise<void> {
        await Promise.all([...this.tails.values()]);
    }
}
