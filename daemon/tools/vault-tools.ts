/**
 * The vault tools (docs/context.md) for agents with `vault_tools: read` (the default) on a backend whose tool
 * loop the daemon runs, added to whatever else a turn offers (memory, skills).
 */
import type { TurnEnv } from "../services/turn-env";
import { runsDaemonTools } from "../backends/registry";
import type { ToolBox } from "../backends/types";
import type { Logger } from "../log";
import { listNotes } from "./list-notes";
import { readNote } from "./read-note";
import { searchNotes } from "./search-notes";
import { joinToolBoxes, toolBox } from "./tool";
import type { VaultToolContext } from "./vault-context";

export const VAULT_TOOLS = [searchNotes, readNote, listNotes] as const;

export function vaultToolBox(ctx: VaultToolContext, log: Logger): ToolBox {
    return toolBox(VAULT_TOOLS, ctx, log);
}

/** A turn's preparation with the vault tools after the tools `prepare` gives. */
export function withVaultTools(prepare: TurnEnv["prepare"], box: ToolBox): TurnEnv["prepare"] {
    return async (agent, base, context) => {
        const prepared = await prepare(agent, base, context);
        if (agent.vault_tools === "off" || !runsDaemonTools(agent.backend)) return prepared;
        return { ...prepared, tools: joinToolBoxes(prepared.tools, box) };
    };
}
