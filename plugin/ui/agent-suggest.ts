/** The "choose agent" picker: a SuggestModal over the agents the daemon described (or the cached list). */
import { type App, SuggestModal } from "obsidian";
import type { AgentInfo } from "../../shared/protocol/api";

/** Agents whose name, model or description contains every word of the query, in the daemon's order. */
export function matchAgents(agents: readonly AgentInfo[], query: string): AgentInfo[] {
    const words = query
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w !== "");
    return agents.filter((agent) => {
        const hay = `${agent.name} ${agent.model} ${agent.backend} ${agent.description}`.toLowerCase();
        return words.every((w) => hay.includes(w));
    });
}

/**
 * The short mark after a name the daemon says cannot answer (AgentInfo `ready: false`). Today the
 * daemon's only such problem is a missing API key ("… is not set in the daemon's environment").
 */
export function agentMark(agent: AgentInfo): string | null {
    if (agent.ready !== false) return null;
    return /\bis not set\b/.test(agent.problem ?? "") ? "key missing" : "not ready";
}

export class AgentSuggestModal extends SuggestModal<AgentInfo> {
    constructor(
        app: App,
        private readonly agents: AgentInfo[],
        private readonly current: string | null,
        private readonly choose: (agent: AgentInfo) => void,
    ) {
        super(app);
        this.setPlaceholder(current ? `Agent for this note (now: ${current})` : "Choose an agent");
        this.emptyStateText = "No agent matches.";
    }

    getSuggestions(query: string): AgentInfo[] {
        return matchAgents(this.agents, query);
    }

    renderSuggestion(agent: AgentInfo, el: HTMLElement): void {
        const mark = agentMark(agent);
        const title = el.createDiv({ cls: "lodge-agent-title" });
        title.createSpan({ text: agent.name, cls: "lodge-agent-name" });
        if (mark !== null) {
            title.createSpan({ text: ` — ${mark}`, cls: "lodge-agent-mark" });
            // The daemon's sentence says which variable to set; the person reads it before sending.
            el.createEl("small", { text: agent.problem ?? "", cls: "lodge-agent-problem" });
        }
        const detail = [agent.backend, agent.model].filter((s) => s !== "").join(" · ");
        const line = agent.description ? `${detail}${detail ? " — " : ""}${agent.description}` : detail;
        if (line) el.createEl("small", { text: line, cls: "lodge-agent-detail" });
    }

    onChooseSuggestion(agent: AgentInfo): void {
        this.choose(agent);
    }
}
