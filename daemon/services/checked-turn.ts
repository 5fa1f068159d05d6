/**
 * A turn that passed its checks (TurnService.check): the note, its text and parse, the agent, who writes
 * the reply and who asked. Its own file because the turn's parts (request, placement, followers) and
 * the watcher and event hub all take it, and TurnRun imports them.
 */
import type { ParsedNote } from "../../shared/note/types";
import type { Writer } from "../../shared/protocol/api";
import type { Frontend } from "../../shared/protocol/events";
import type { AgentConfig } from "../config";
import type { NotePath } from "../vault/vault";
import type { TurnTap } from "./turn-output";

export interface CheckedTurn {
    note: NotePath;
    /** The note's text as submitted (or read from disk). */
    text: string;
    /** True when the request carried the text and it must be written before the turn. */
    fromRequest: boolean;
    parsed: ParsedNote;
    agent: AgentConfig;
    writer: Writer;
    actor: string | null;
    /** Where the turn came from (`event: turn`, docs/daemon.md); "note" when absent. */
    frontend?: Frontend;
    /** The backend's output as it arrives, unrendered (other frontends, docs/frontends.md). */
    tap?: TurnTap;
}
