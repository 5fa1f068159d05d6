/**
 * When the plugin writes streamed text: once per animation frame, all deltas of the frame in one
 * transaction (SPEC §10). Obsidian pauses animation frames in a hidden window, so a timer stands in
 * when no frame comes within 100 ms and the reply keeps landing in a minimised window.
 */
import type { FrameScheduler } from "../stream/reply-turn";

const FALLBACK_MS = 100;

export function frameScheduler(win: Window): FrameScheduler {
    return (callback) => {
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
}
