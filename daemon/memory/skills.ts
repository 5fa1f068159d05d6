/**
 * Skills (docs/memory.md): `skills/<name>/SKILL.md` in an agent's memory repository, with frontmatter
 * `name`, `description` and optional `triggers: [words]`; the body is the skill's instructions.
 * The one reader of skills (the prompt, `load_skill`, `/v1/config` and `/skills` all use it), and
 * the rules a push must satisfy. Pure, apart from `readSkills`, which reads `main` through git.
 */
import { LodgeError } from "../../shared/errors";
import { findFrontmatter } from "../../shared/note/frontmatter-bounds";
import { readFrontmatter } from "../../shared/note/frontmatter";
import type { SkillInfo } from "../../shared/protocol/api";
import { charCount, MAX_BLOCK_FILE_BYTES } from "./block-file";
import type { MemoryRepo } from "./repository";

export interface Skill extends SkillInfo {
    /** The instructions: the text after the frontmatter, trimmed. */
    body: string;
}

/** `skills/<folder>/SKILL.md`: the folder is the skill's name. */
const SKILL_FILE = /^skills\/([^/]+)\/SKILL\.md$/;
/** Agent Skills' limits (agentskills.io): names up to 64 characters, descriptions up to 1024. */
const MAX_NAME = 64;
const MAX_DESCRIPTION = 1024;
const MAX_TRIGGER = 100;
/** Letters, digits, `-`, `_` and `.` (not first): one line in the prompt, one folder on every system. */
const NAME = /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u;

/** The skill folder of a path, or null when the path is not a skill's SKILL.md. */
export function skillFolder(path: string): string | null {
    return SKILL_FILE.exec(path)?.[1] ?? null;
}

/** A path a person may have meant as a skill but git sees as something else (`skill.md`, `Skill.MD`). */
export function misnamedSkillFile(path: string): boolean {
    return /^skills\/[^/]+\/skill\.md$/i.test(path) && skillFolder(path) === null;
}

type Decoded = { text: string; data: Record<string, unknown>; end: number; problem?: undefined } | { problem: string };

function decode(bytes: Buffer): Decoded {
    if (bytes.length > MAX_BLOCK_FILE_BYTES)
        return { problem: `the file is ${bytes.length} bytes; a SKILL.md may have at most ${MAX_BLOCK_FILE_BYTES}` };
    let text: string;
    try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); // also drops a leading BOM
    } catch {
        return { problem: "the file is not UTF-8 text" };
    }
    if (text.includes("\0")) return { problem: "the file contains NUL bytes; a skill is text" };
    const bounds = findFrontmatter(text);
    if (!bounds && /^---[ \t]*\r?\n/.test(text)) return { problem: "the frontmatter opened on line 1 is never closed by a '---' line" };
    try {
        return { text, data: readFrontmatter(text)?.data ?? {}, end: bounds?.end ?? 0 };
    } catch (err) {
        return { problem: err instanceof LodgeError ? err.message : String(err) };
    }
}

/** A trigger as text: YAML reads `[404]` as a number, which the person wrote as a word. */
function triggerText(value: unknown): string | null {
    if (typeof value === "string") return value.trim();
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    return null;
}

/**
 * What is wrong with a SKILL.md a push brings, one line each (none: fine). `name`, when given, is
 * text equal to the folder's name (the name `load_skill` takes, unique by construction);
 * `description` is text; `triggers` is a list of words or phrases. Other keys (`license`,
 * `allowed-tools`, … from other tools' skills) are allowed and ignored.
 */
export function skillProblems(folder: string, bytes: Buffer): string[] {
    const problems: string[] = [];
    if (!NAME.test(folder) || charCount(folder) > MAX_NAME) {
        problems.push(`a skill's folder name is its name: letters, digits, '-', '_' or '.' (not first), at most ${MAX_NAME} characters`);
    }
    const decoded = decode(bytes);
    if (decoded.problem !== undefined) return [...problems, decoded.problem];
    const { name, description, triggers } = decoded.data;
    if (name !== undefined && name !== null) {
        if (typeof name !== "string") problems.push(`"name" must be text: the folder's name, ${folder}`);
        else if (name.trim() !== folder) problems.push(`"name" is "${name.trim()}" but the folder is "${folder}"; they must be the same`);
    }
    if (description !== undefined && description !== null) {
        if (typeof description !== "string") problems.push(`"description" must be text`);
        else if (charCount(description) > MAX_DESCRIPTION)
            problems.push(`"description" has ${charCount(description)} characters; at most ${MAX_DESCRIPTION}`);
    }
    if (triggers !== undefined && triggers !== null) {
        if (!Array.isArray(triggers)) {
            problems.push(`"triggers" must be a list of words, such as [deploy, release]`);
        } else {
            for (const t of triggers) {
                const word = triggerText(t);
                if (word === null || word === "" || /[\r\n]/.test(word) || charCount(word) > MAX_TRIGGER) {
                    problems.push(`"triggers": ${JSON.stringify(t)} is not a word (each trigger is a word or a short phrase on one line)`);
                }
            }
        }
    }
    return problems;
}

/**
 * Reads a SKILL.md as the prompt and the lists show it: `name` from the frontmatter, else the
 * folder's; `description` else `""`; `triggers` a list (a single value counts as a list of one).
 * Pushes are checked, so this is lenient with what came another way; a file that cannot be read
 * (not UTF-8, frontmatter that does not parse) is left out, as it could not be loaded.
 */
export function readSkill(folder: string, bytes: Buffer | undefined): Skill | null {
    if (!bytes) return null;
    const decoded = decode(bytes);
    if (decoded.problem !== undefined) return null;
    const { data } = decoded;
    const raw = Array.isArray(data.triggers)
        ? (data.triggers as unknown[])
        : data.triggers === undefined || data.triggers === null
          ? []
          : [data.triggers];
    return {
        name: typeof data.name === "string" && data.name.trim() !== "" ? data.name.trim() : folder,
        description: typeof data.description === "string" ? data.description : "",
        triggers: raw.map(triggerText).filter((t): t is string => t !== null && t !== ""),
        body: decoded.text.slice(decoded.end).trim(),
    };
}

/** The skills on `commit` (`main`'s), by name; the first of two with the same name wins. */
export async function readSkills(repo: MemoryRepo, commit: string): Promise<Skill[]> {
    const files: Array<{ folder: string; blob: string }> = [];
    for (const entry of await repo.tree(commit, "skills/", true)) {
        const folder = entry.type === "blob" && entry.mode.startsWith("100") ? skillFolder(entry.path) : null;
        if (folder) files.push({ folder, blob: entry.id });
    }
    const blobs = await repo.readBlobs(files.map((f) => f.blob));
    const byName = new Map<string, Skill>();
    for (const f of files) {
        const skill = readSkill(f.folder, blobs.get(f.blob));
        if (skill && !byName.has(skill.name)) byName.set(skill.name, skill);
    }
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A skill as the lists give it (`/skills`, `/v1/config`): without its body. */
export function skillInfo(skill: Skill): SkillInfo {
    return { name: skill.name, description: skill.description, triggers: skill.triggers };
}

/** What `load_skill` may read of a skill's other files (docs/memory.md): text, at most this many characters. */
export const MAX_SKILL_FILE_CHARS = 100_000;

/**
 * Another file of a skill's folder on `commit`, as `load_skill(name, file)` gives it: the text, or a
 * sentence for the model saying why not. `file` is relative to the folder and cannot leave it.
 */
export async function readSkillFile(
    repo: MemoryRepo,
    commit: string,
    folder: string,
    file: string,
): Promise<{ text: string } | { problem: string }> {
    const parts = file
        .replace(/\\/g, "/")
        .split("/")
        .filter((p) => p !== "" && p !== ".");
    if (parts.length === 0 || parts.some((p) => p === "..") || file.startsWith("/") || file.includes("\0")) {
        return { problem: `"${file}" is not a file of skill ${folder}: give a path inside its folder, such as "reference.md"` };
    }
    const path = `skills/${folder}/${parts.join("/")}`;
    const found = (await repo.tree(commit, path, false))[0];
    if (!found || found.type !== "blob" || !found.mode.startsWith("100"))
        return { problem: `skill ${folder} has no file "${parts.join("/")}"` };
    const bytes = (await repo.readBlobs([found.id])).get(found.id) ?? Buffer.alloc(0);
    let text: string;
    try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        return { problem: `"${parts.join("/")}" of skill ${folder} is not text; load_skill reads text files only` };
    }
    if (text.includes("\0")) return { problem: `"${parts.join("/")}" of skill ${folder} is not text; load_skill reads text files only` };
    const chars = charCount(text);
    if (chars > MAX_SKILL_FILE_CHARS)
        return {
            problem: `"${parts.join("/")}" of skill ${folder} has ${chars} characters; load_skill reads at most ${MAX_SKILL_FILE_CHARS}`,
        };
    return { text };
}
