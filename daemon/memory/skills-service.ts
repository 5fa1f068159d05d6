/**
 * Skills in turns (docs/memory.md). Every skill is listed in the system prompt; a skill's body enters a
 * conversation once: after the person's text in the user message that mentions one of its triggers,
 * or as the result of the agent's `load_skill` call. Both live in the canonical history, so the
 * history itself says what a conversation has loaded: a fork that drops the loading message unloads
 * the skill, a copied note keeps it, and no body is ever sent twice.
 */
import type { ToolCall, ToolResult } from "../backends/types";
import { type CanonicalMessage, personTextIndex } from "../messages";
import { LOAD_SKILL } from "../tools/load-skill";
import type { MemoryRepo } from "./repository";
import { readSkillFile, readSkills, type Skill } from "./skills";
import { findTrigger, skillBlock, skillOfBlock, withSkills } from "./skills-prompt";

/** What a turn tells the skills: the history it keeps, and the note's new messages after it. */
export interface SkillTurnContext {
    kept: readonly CanonicalMessage[];
    pending: readonly CanonicalMessage[];
}

/** The names a successful load has in a history: the daemon's tool, and Claude Code's call of it through Lodge's MCP server. */
const LOAD_SKILL_CALLS = new Set([LOAD_SKILL, `mcp__lodge__${LOAD_SKILL}`]);

export const UNKNOWN_SKILL = (name: string, names: string[]): string =>
    `Skill ${JSON.stringify(name)} does not exist (available skills = ${names.join(", ")})`;
export const ALREADY_LOADED = (what: string): string =>
    `${what} is already loaded in this conversation: its text is above; it is not sent again.`;

/** One turn's view of the skills. */
export interface SkillTurn {
    skills: Skill[];
    /** The pending messages, with the bodies their triggers load after the person's text. */
    pending: CanonicalMessage[];
    /** Appends the skills' listing to a system prompt. */
    prompt(system: string): string;
    runLoad(call: ToolCall): Promise<ToolResult>;
}

/** A `load_skill` call's key: the skill's name, or name and file. */
function loadKey(input: unknown): string | null {
    const { name, file } = args(input);
    if (name === null) return null;
    return file === null ? name : `${name}/${file}`;
}

function args(input: unknown): { name: string | null; file: string | null } {
    const o = input !== null && typeof input === "object" ? (input as Record<string, unknown>) : {};
    const name = typeof o.name === "string" && o.name.trim() !== "" ? o.name.trim() : null;
    const file = typeof o.file === "string" && o.file.trim() !== "" && o.file.trim() !== "SKILL.md" ? o.file.trim() : null;
    return { name, file };
}

/** What a history has loaded: skill blocks after a person's text, and `load_skill` calls that succeeded. */
export function loadedIn(messages: readonly CanonicalMessage[]): Set<string> {
    const loaded = new Set<string>();
    const calls = new Map<string, string>();
    for (const message of messages) {
        const person = message.role === "user" ? personTextIndex(message) : -1;
        message.content.forEach((block, i) => {
            if (block.type === "text" && message.role === "user" && i > person) {
                const name = skillOfBlock(block.text);
                if (name !== null) loaded.add(name);
            } else if (block.type === "tool_use" && LOAD_SKILL_CALLS.has(block.name)) {
                const key = loadKey(block.input);
                if (key !== null) calls.set(block.id, key);
            } else if (block.type === "tool_result" && !block.is_error && calls.has(block.tool_use_id)) {
                loaded.add(calls.get(block.tool_use_id)!);
            }
        });
    }
    return loaded;
}

export class SkillService {
    private readonly cache = new Map<string, { commit: string; skills: Promise<Skill[]> }>();

    constructor(private readonly repo: (agent: string) => MemoryRepo) {}

    /** The skills on `main` of the agent's repository (none before it exists), read once per commit. */
    async list(agent: string): Promise<Skill[]> {
        return (await this.current(agent)).skills;
    }

    private async current(agent: string): Promise<{ commit: string | null; skills: Skill[] }> {
        const repo = this.repo(agent);
        if (!repo.exists()) return { commit: null, skills: [] };
        const commit = await repo.head();
        if (commit === null) return { commit, skills: [] };
        let cached = this.cache.get(agent);
        if (cached?.commit !== commit) {
            const skills = readSkills(repo, commit);
            cached = { commit, skills };
            this.cache.set(agent, cached);
            skills.catch(() => {
                if (this.cache.get(agent)?.skills === skills) this.cache.delete(agent);
            });
        }
        return { commit, skills: await cached.skills };
    }

    /** The skills of one turn: the listing, the bodies the new messages' triggers load, and `load_skill`. */
    async forTurn(agent: string, context: SkillTurnContext): Promise<SkillTurn> {
        const { commit, skills } = await this.current(agent);
        const pending = [...context.pending];
        if (skills.length === 0 || commit === null) {
            return { skills, pending, prompt: (system) => system, runLoad: (call) => Promise.resolve(unknown(call, skills)) };
        }
        const loaded = loadedIn(context.kept);
        pending.forEach((message, i) => {
            const person = message.role === "user" ? personTextIndex(message) : -1;
            if (person < 0) return;
            const text = (message.content[person] as { text: string }).text;
            const found: Array<{ skill: Skill; at: number }> = [];
            for (const skill of skills) {
                const hit = loaded.has(skill.name) ? null : findTrigger(skill.triggers, text);
                if (hit) found.push({ skill, at: hit.at });
            }
            if (found.length === 0) return;
            found.sort((a, b) => a.at - b.at);
            for (const { skill } of found) loaded.add(skill.name);
            const blocks = found.map(({ skill }) => ({ type: "text" as const, text: skillBlock(skill.name, skill.body) }));
            pending[i] = { ...message, content: [...message.content, ...blocks] };
        });
        const byName = new Map(skills.map((s) => [s.name, s]));
        return {
            skills,
            pending,
            prompt: (system) => withSkills(system, skills),
            runLoad: async (call) => {
                const { name, file } = args(call.input);
                const skill = name === null ? undefined : byName.get(name);
                if (!skill) return unknown(call, skills);
                const key = file === null ? skill.name : `${skill.name}/${file}`;
                const what = file === null ? `Skill ${skill.name}` : `File ${file} of skill ${skill.name}`;
                if (loaded.has(key)) return { tool_use_id: call.id, content: ALREADY_LOADED(what), is_error: false };
                let content = skill.body;
                if (file !== null) {
                    const read = await readSkillFile(this.repo(agent), commit, skill.name, file);
                    if ("problem" in read) return { tool_use_id: call.id, content: read.problem, is_error: true };
                    content = read.text;
                }
                loaded.add(key);
                return { tool_use_id: call.id, content, is_error: false };
            },
        };
    }
}

function unknown(call: ToolCall, skills: readonly Skill[]): ToolResult {
    const { name } = args(call.input);
    const names = skills.map((s) => s.name);
    const content =
        name === null
            ? `load_skill needs "name", the name of a skill (available skills = ${names.join(", ")})`
            : UNKNOWN_SKILL(name, names);
    return { tool_use_id: call.id, content, is_error: true };
}
