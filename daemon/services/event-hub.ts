/**
 * `GET /v1/events` (docs/daemon.md): what happens in the daemon that a client keeps in step with — a turn
 * starting or ending on any note from any frontend, and `/v1/config` changing. Knows nothing of HTTP.
 */
import type { DaemonEvent, TurnStateEvent } from "../../shared/protocol/events";
import type { CheckedTurn } from "./checked-turn";
import type { TurnRun } from "./turn-run";

export class EventHub {
    private readonly listeners = new Set<(event: DaemonEvent) => void>();

    subscribe(listener: (event: DaemonEvent) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    publish(event: DaemonEvent): void {
        for (const listener of this.listeners) {
            try {
                listener(event);
            } catch {
                // One broken subscriber must not keep the others from the event.
            }
        }
    }

    /** A TurnService observer: `started` once the turn's conversation is known, then how it ended. */
    watchTurn(turn: CheckedTurn, run: TurnRun): void {
        let conversationId: string | null = turn.parsed.settings.conversation_id ?? null;
        const send = (state: TurnStateEvent["state"]): void =>
            this.publish({
                event: "turn",
                data: {
                    filename: turn.note.relative,
                    agent: turn.agent.name,
                    conversation_id: conversationId,
                    frontend: turn.frontend ?? "note",
                    state,
                },
            });
        run.follow((event) => {
            if (event.event === "start") {
                conversationId = event.data.conversation_id;
                send("started");
            } else if (event.event === "done") {
                send(event.data.status === "cancelled" ? "cancelled" : "ok");
            } else if (event.event === "error") {
                send("error");
            }
        });
    }
}
