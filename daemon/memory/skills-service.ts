/**
 * Skills in turns (SPEC §9). Every skill is listed in the system prompt; a skill's body enters the
 * prompt of a conversation once, from the turn whose user message mentions one of its triggers, or
 * after the agent calls `load_skill`. Bodies never go into stored user messages: the note's turns
 * must keep comparing equal to the history (services/history.ts).
 */
import type { ToolSpec } from "../backends/model-client";
import type { ToolCall, ToolResult } from "../backends/types";
import { type CanonicalMessage, textsOf } from "../messages";
import type { LoadedSkillRow, LoadedSkillStore } from "../store/loaded-skills";
import type { MemoryRepo } from "./repository";
import { readSkills, type Skill } from "./skills";
import { findTrigger, type LoadedSkill, withSkills } from "./skills-prompt";

/** What a turn tells the skills about its conversation once it is known. */
export interface SkillTurnContext {
    conversationId: string;
    /** How many stored messages the turn keeps (the history prefix the note agrees with). */
    keep: number;
    /** The note's messages after that prefix, ending with the person's new message. */
    pending: readonly CanonicalMessage[];
    /** When the turn's conversation was just copied from another (a copied note): that one, and the copied history's length. */
    copiedFrom?: { conversationId: string; messages: number };
}

export const LOAD_SKILL = "load_skill";

export const LOAD_SKILL_SPEC: ToolSpec = {
    name: LOAD_SKILL,
    description:
        "Loads one of the skills listed in <available_skills>: returns its instructions, which then stay in your system prompt " +
        "for the rest of this conversation. Load a skill when the task at hand matches its description.",
    input_schema: {
        type: "object",
        properties: { name: { type: "string", description: "The skill's name, as <available_skills> lists it." } },
        required: ["name"],
    },
};

export const UNKNOWN_SKILL = (name: string, names: string[]): string =>
    `Skill ${JSON.stringify(name)} does not exist (available skills = ${names.join(", ")})`;
export const ALREADY_LOADED = (name: string): string =>
    `Skill ${name} is already loaded: its instructions are in <loaded_skills> in your system prompt.`;

/** One turn's view of the skills: the prompt's sections, and `load_skill` when the backend runs tools. */
export interface SkillTurn {
    skills: Skill[];
    /** Appends the skills' sections to a system prompt. */
    prompt(system: string, canLoad: boolean): string;
    runLoad(call: ToolCall): Promise<ToolResult>;
}

export interface SkillDeps {
    repo(agent: string): MemoryRepo;
    loaded: LoadedSkillStore;
}

export class SkillService {
    private readonly cache = new Map<string, { commit: string; skills: Promise<Skill[]> }>();
    private readonly turns = new WeakMap<object, Promise<SkillTurn>>();

    constructor(private readonly deps: SkillDeps) {}

    /** The skills on `main` of the agent's repository (none before it exists), read once per commit. */
    async list(agent: string): Promise<Skill[]> {
        const repo = this.deps.repo(agent);
        if (!repo.exists()) return [];
        const commit = await repo.head();
        if (commit === null) return [];
        const cached = this.cache.get(agent);
        if (cached?.commit === commit) return cached.skills;
        const skills = readSkills(repo, commit);
        this.cache.set(agent, { commit, skills });
        skills.catch(() => {
            if (this.cache.get(agent)?.skills === skills) this.cache.delete(agent);
        });
        return skills;
    }

    /**
     * The skills of one turn, worked out once per context (the system prompt and the tools ask with
     * the same one): what the conversation has loaded, plus the skills whose triggers the new user
     * messages mention, which are recorded as loaded before the turn is sent.
     */
    forTurn(agent: string, context: SkillTurnContext): Promise<SkillTurn> {
        let turn = this.turns.get(context);
        if (!turn) {
            turn = this.prepare(agent, context);
            this.turns.set(context, turn);
        }
        return turn;
    }

    private async prepare(agent: string, context: SkillTurnContext): Promise<SkillTurn> {
        const skills = await this.list(agent);
        const { loaded: store } = this.deps;
        const { conversationId } = context;
        if (skills.length === 0) return { skills, prompt: (system) => system, runLoad: (call) => Promise.resolve(unknown(call, skills)) };
        if (context.copiedFrom) await store.copy(context.copiedFrom.conversationId, conversationId, context.copiedFrom.messages);
        const rows = await store.forTurn(conversationId, context.keep);
        const known = new Set(rows.map((r) => r.name));
        // Triggers in the new user messages, in the order they appear.
        const found: Array<LoadedSkillRow & { offset: number }> = [];
        context.pending.forEach((message, i) => {
            if (message.role !== "user") return;
            const text = textsOf(message).join("\n\n");
            for (const skill of skills) {
                if (known.has(skill.name)) continue;
                const hit = findTrigger(skill.triggers, text);
                if (hit) {
                    known.add(skill.name);
                    found.push({ name: skill.name, atMessage: context.keep + i, trigger: hit.trigger, offset: hit.at });
                }
            }
        });
        found.sort((a, b) => a.atMessage - b.atMessage || a.offset - b.offset);
        for (const row of found) await store.load(conversationId, row);
        const byName = new Map(skills.map((s) => [s.name, s]));
        // A loaded skill that has since left the repository leaves the prompt with it.
        const inPrompt: LoadedSkill[] = [...rows, ...found].flatMap((r) => {
            const skill = byName.get(r.name);
            return skill ? [{ skill, trigger: r.trigger }] : [];
        });
        const shown = new Set(inPrompt.map((l) => l.skill.name));
        // A skill loaded by a tool call belongs to the reply, which starts after the pending messages.
        const replyAt = context.keep + context.pending.length;
        return {
            skills,
            prompt: (system, canLoad) => withSkills(system, skills, inPrompt, canLoad),
            runLoad: async (call) => {
                const name = nameArg(call.input);
                const skill = name === null ? undefined : byName.get(name);
                if (!skill) return unknown(call, skills);
                if (shown.has(skill.name)) return { tool_use_id: call.id, content: ALREADY_LOADED(skill.name), is_error: false };
                await store.load(conversationId, { name: skill.name, atMessage: replyAt, trigger: null });
                return { tool_use_id: call.id, content: skill.body, is_error: false };
            },
        };
    }
}

function nameArg(input: unknown): string | null {
    const name = input !== null && typeof input === "object" ? (input as Record<string, unknown>).name : undefined;
    return typeof name === "string" ? name.trim() : null;
}

function unknown(call: ToolCall, skills: readonly Skill[]): ToolResult {
    const name = nameArg(call.input);
    const content =
        name === null
            ? `load_skill needs "name", the name of a skill (available skills = ${skills.map((s) => s.name).join(", ")})`
            : UNKNOWN_SKILL(name, skills.map((s) => s.name));
    return { tool_use_id: call.id, content, is_error: true };
}
