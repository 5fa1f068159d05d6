/**
 * What skills add to a turn (docs/memory.md): the `<skills>` listing after `<memory_blocks>` in the system
 * prompt, one `<skill name="…">description</skill>` each; a loaded body as a text block
 * `<skill name="…">body</skill>` after the person's text; and the trigger rule: a trigger matches as
 * a whole word, ignoring case (OpenHands' `(?<![a-z0-9])kw(?![a-z0-9])`, with letters and digits of
 * every script). Pure.
 */
import type { Skill } from "./skills";

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();
/** A description is data inside an element: it must not close the element or open another. */
const escapeXml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A trigger as a pattern: whole word, any case; the spaces of a phrase match any run of spaces. */
export function triggerPattern(trigger: string): RegExp {
    const words = trigger.trim().split(/\s+/).map(escapeRegExp).join("\\s+");
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

/** `<skills>`: name and description of each skill, one element each. */
export function renderSkillList(skills: readonly Skill[]): string {
    if (skills.length === 0) return "";
    const lines = skills.map((s) => `<skill name="${s.name}">${escapeXml(oneLine(s.description))}</skill>`);
    return `<skills>\n${lines.join("\n")}\n</skills>`;
}

/** The system prompt with the skills' listing after everything else (the memory blocks). */
export function withSkills(system: string, skills: readonly Skill[]): string {
    const list = renderSkillList(skills);
    if (list === "") return system;
    return system === "" ? list : `${system}\n\n${list}`;
}

/** A loaded skill's body as the text block that follows the person's text in their message. */
export function skillBlock(name: string, body: string): string {
    return `<skill name="${name}">\n${body}\n</skill>`;
}

/** The skill a text block loaded, when the block is one `skillBlock` wrote. */
export function skillOfBlock(text: string): string | null {
    return /^<skill name="([^"]+)">\n/.exec(text)?.[1] ?? null;
}
