/**
 * What skills add to a system prompt (SPEC §9): `<available_skills>`, one line per skill (Letta's
 * section name, letta/schemas/memory.py), and `<loaded_skills>`, the bodies of the skills this
 * conversation has loaded, each once, in load order. And the trigger rule: a trigger matches as a
 * whole word, ignoring case (OpenHands' `(?<![a-z0-9])kw(?![a-z0-9])`, with letters and digits of
 * every script). Pure.
 */
import type { Skill } from "./skills";

export interface LoadedSkill {
    skill: Skill;
    /** The word that loaded it, or null when the agent called `load_skill`. */
    trigger: string | null;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();

/** A trigger as a pattern: whole word, any case; the spaces of a phrase match any run of spaces. */
export function triggerPattern(trigger: string): RegExp {
    const words = trigger.trim().split(/\s+/).map(escape).join("\\s+");
    return new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])${words}(?![\\p{L}\\p{N}\\p{M}])`, "iu");
}

/** Where the first of `triggers` appears in `text` as a whole word: the trigger and its offset, or null. */
export function findTrigger(triggers: readonly string[], text: string): { trigger: string; at: number } | null {
    let best: { trigger: string; at: number } | null = null;
    for (const trigger of triggers) {
        if (trigger.trim() === "") continue;
        const m = triggerPattern(trigger).exec(text);
        if (m && (best === null || m.index < best.at)) best = { trigger, at: m.index };
    }
    return best;
}

/** `<available_skills>`: name and description of each skill, one line each. */
export function renderAvailableSkills(skills: readonly Skill[], canLoad: boolean): string {
    if (skills.length === 0) return "";
    const how = canLoad
        ? "A skill's instructions are added to this prompt when the person mentions one of its triggers; call load_skill with a skill's name to load it yourself when the task needs it."
        : "A skill's instructions are added to this prompt when the person mentions one of its triggers.";
    const lines = skills.map((s) => (oneLine(s.description) === "" ? `- ${s.name}` : `- ${s.name}: ${oneLine(s.description)}`));
    return `<available_skills>\nSkills in your memory repository. ${how}\n${lines.join("\n")}\n</available_skills>`;
}

/** `<loaded_skills>`: each loaded skill's body once, in load order. */
export function renderLoadedSkills(loaded: readonly LoadedSkill[]): string {
    if (loaded.length === 0) return "";
    const parts = loaded.map(({ skill, trigger }) => {
        // OpenHands' wording for a keyword match (skill_knowledge_info.j2): a trigger can misfire.
        const why =
            trigger === null
                ? "Loaded with load_skill."
                : `Loaded because the person wrote "${trigger}"; it may or may not be relevant to what they ask.`;
        return `<skill name="${skill.name.replace(/["<>]/g, "")}">\n${why}\n\n${skill.body}\n</skill>`;
    });
    return `<loaded_skills>\nThe skills loaded in this conversation, in the order they were loaded. Follow a skill's instructions where they apply.\n\n${parts.join("\n\n")}\n</loaded_skills>`;
}

/** The system prompt with the skills' sections after everything else (the memory blocks). */
export function withSkills(system: string, skills: readonly Skill[], loaded: readonly LoadedSkill[], canLoad: boolean): string {
    const sections = [renderAvailableSkills(skills, canLoad), renderLoadedSkills(loaded)].filter((s) => s !== "");
    return [system, ...sections].filter((s) => s !== "").join("\n\n");
}
