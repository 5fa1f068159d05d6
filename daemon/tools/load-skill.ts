/**
 * `load_skill(name, file?)` (docs/memory.md): a skill's SKILL.md, or another text file of its folder, once
 * per conversation. The conversation's view of the skills (memory/skills-service.ts) does the work.
 */
import type { ToolSpec } from "../backends/types";
import type { AgentToolContext } from "./memory-tools";
import { fromResult, type Tool } from "./tool";

export const LOAD_SKILL = "load_skill";

const SPEC: ToolSpec = {
    name: LOAD_SKILL,
    description:
        "Loads one of the skills listed in <skills> in your system prompt: returns its instructions (SKILL.md), or with `file` another " +
        "file of that skill's folder that the instructions refer to. Load a skill when the task at hand matches its description; " +
        "a skill loaded once stays in this conversation.",
    input_schema: {
        type: "object",
        properties: {
            name: { type: "string", description: "The skill's name, as <skills> lists it." },
            file: { type: "string", description: "Optional: a path inside the skill's folder, such as reference.md." },
        },
        required: ["name"],
    },
};

export const loadSkill: Tool<AgentToolContext> = {
    spec: SPEC,
    run: async (ctx, args) => fromResult(await ctx.skills.runLoad({ id: "", name: LOAD_SKILL, input: args })),
};
