/**
 * Questions that arrived while no daemon ran (docs/daemon.md: a question from another device is answered
 * once, also when the desktop was off when it synced). `<data>/watch-seen` is touched every minute
 * while the watcher runs and when it stops; at the next start, the watched chat notes changed after
 * that time are looked at as if they had just changed. A change seen but not yet looked at holds the
 * marker back, so stopping during the idle time loses nothing. The first start of a data folder (no file
 * yet) answers nothing: a vault full of old notes must not start a turn each.
 */
import { stat, utimes, writeFile } from "node:fs/promises";

const TOUCH_MS = 60_000;

export class SeenMarker {
    private timer: NodeJS.Timeout | undefined;

    /** `pending`: the earliest change not looked at yet, if any: the marker never passes it. */
    private pending: () => number = () => Infinity;

    constructor(private readonly file: string) {}

    /** Until when the last daemon watched (ms since epoch), or null on a first start. */
    async lastSeen(): Promise<number | null> {
        const info = await stat(this.file).catch(() => null);
        return info ? info.mtimeMs : null;
    }

    /** From now on the marker follows the clock. */
    start(pending: () => number): void {
        this.pending = pending;
        void this.touch();
        this.timer = setInterval(() => void this.touch(), TOUCH_MS);
        this.timer.unref();
    }

    async stop(): Promise<void> {
        clearInterval(this.timer);
        await this.touch();
    }

    private async touch(): Promise<void> {
        // One second back: file times can be coarser than the clock.
        const now = new Date(Math.min(Date.now(), this.pending() - 1000));
        await utimes(this.file, now, now).catch(() => writeFile(this.file, "").catch(() => undefined));
    }
}

/** Of these files, the ones modified after `since` (a stat each, 256 at a time). */
export async function changedSince(files: string[], since: number): Promise<string[]> {
    const found: string[] = [];
    for (let i = 0; i < files.length; i += 256) {
        const batch = files.slice(i, i + 256);
        const times = await Promise.all(
            batch.map((f) =>
                stat(f).then(
                    (s) => s.mtimeMs,
                    () => 0,
                ),
            ),
        );
        batch.forEach((f, j) => times[j]! > since && found.push(f));
    }
    return found;
}
