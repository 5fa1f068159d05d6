/**
 * When the plugin writes streamed text: once per animation frame, all deltas of the frame in one
 * transaction (CONTRIBUTING.md), or after a delay when the turn paces itself (a costly editor). Obsidian
 * pauses animation frames in a hidden window, so a timer stands in when no frame comes within 100 ms
 * and the reply keeps landing in a minimised window.
 */
import type { FrameScheduler } from "../stream/ports";

const FALLBACK_MS = 100;

export function frameScheduler(win: Window): FrameScheduler {
    const nextFrame: FrameScheduler = (callback) => {
        let pending = true;
        const run = (): void => {
            if (!pending) return;
            pending = false;
            win.cancelAnimationFrame(frame);
            win.clearTimeout(timer);
            callback();
        };
        const frame = win.requestAnimationFrame(run);
        const timer = win.setTimeout(run, FALLBACK_MS);
        return () => {
            pending = false;
            win.cancelAnimationFrame(frame);
            win.clearTimeout(timer);
        };
    };
    // A paced flush still lands in a frame: the browser has then dispatched the scroll events of
    // everything the person scrolled, so a kept scroll position is never an outdated one.
    return (callback, delayMs) => {
        if (delayMs === undefined) return nextFrame(callback);
        let cancelFrame: (() => void) | null = null;
        const timer = win.setTimeout(() => (cancelFrame = nextFrame(callback)), delayMs);
        return () => {
            win.clearTimeout(timer);
            cancelFrame?.();
        };
    };
}
