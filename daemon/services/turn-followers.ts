/**
 * Who hears a turn's events (docs/daemon.md): the client that started it, and followers that joined
 * while it ran (`GET /v1/chat/stream`, the events hub). A follower gets a `start` marked `rejoined`, the
 * reply so far as one delta, then the live events through the terminal one.
 */
import { isTerminal, type StartEvent, type StreamEvent } from "../../shared/protocol/events";
import type { Logger } from "../log";

type Listener = (event: StreamEvent) => void;

export class TurnFollowers {
    private readonly followers = new Set<Listener>();
    /** Followers that put the reply into an editor (docs/daemon.md handover): while one is here the daemon does not write the note. */
    private readonly holders = new Set<Listener>();
    private started: StartEvent | null = null;
    private ended = false;
    /** Some follower held the note at some time: a partial reply of this turn may be in the file. */
    everHeld = false;

    constructor(
        private client: Listener,
        private readonly log: Logger,
    ) {}

    /** The turn's own client went away; followers stay. */
    dropClient(): void {
        this.client = () => undefined;
    }

    /** Whether a follower's editor holds the note now. */
    get holding(): boolean {
        return this.holders.size > 0;
    }

    emit(event: StreamEvent): void {
        if (event.event === "start") this.started = event.data;
        for (const listener of [this.client, ...this.followers]) {
            try {
                listener(
                    listener === this.client || event.event !== "start"
                        ? event
                        : { event: "start", data: { ...event.data, rejoined: true } },
                );
            } catch (err) {
                this.log.warn(`stream listener failed: ${String(err)}`);
            }
        }
        if (isTerminal(event)) {
            this.ended = true;
            this.followers.clear();
            this.holders.clear();
        }
    }

    /**
     * Adds a follower; `sent` gives the reply as the deltas sent so far make it. Returns how to stop
     * following, or null once the turn ended. `holds`: the follower's editor takes the reply.
     */
    follow(listener: Listener, holds: boolean, sent: () => string): (() => void) | null {
        if (this.ended) return null;
        if (holds) {
            this.holders.add(listener);
            this.everHeld = true;
        }
        if (this.started) {
            listener({ event: "start", data: { ...this.started, rejoined: true } });
            const reply = sent();
            if (reply !== "") listener({ event: "delta", data: { at: 0, delete: 0, insert: reply } });
        }
        this.followers.add(listener);
        return () => {
            this.followers.delete(listener);
            this.holders.delete(listener);
        };
    }
}
