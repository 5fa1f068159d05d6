/**
 * An agent's skills as `GET /v1/conversations/<id>/skills` lists them (SPEC §8, §9): every
 * `skills/<name>/SKILL.md` on `main` of the agent's memory repository, read from git (no work tree),
 * with its frontmatter `name` (else the folder's name), `description` and `triggers`. Loading skills
 * into turns (SPEC §9) is not built yet; this only reads what the repository holds.
 */
import type { SkillInfo } from "../../shared/protocol/api";
import { readFrontmatter } from "../../shared/note/frontmatter";
import { git } from "../memory/git-process";
import type { MemoryRepo } from "../memory/repository";

const SKILL_FILE = /^skills\/([^/]+)\/SKILL\.md$/;

/** The skills on `main`, by name; none when the repository does not exist yet or has no skills. */
export async function agentSkills(repo: MemoryRepo): Promise<SkillInfo[]> {
    if (!repo.exists()) return [];
    const head = await repo.head();
    if (!head) return [];
    // "<mode> <type> <blob>\t<path>\0" for each file under skills/
    const listing = (await git(repo.dir, ["ls-tree", "-r", "-z", head, "--", "skills/"])).toString("utf8");
    const files: Array<{ folder: string; blob: string }> = [];
    for (const line of listing.split("\0")) {
        const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/s.exec(line);
        const folder = m && SKILL_FILE.exec(m[2]!)?.[1];
        if (m && folder) files.push({ folder, blob: m[1]! });
    }
    const blobs = await repo.readBlobs(files.map((f) => f.blob));
    const skills = files.flatMap((f) => {
        const skill = readSkill(f.folder, blobs.get(f.blob));
        return skill ? [skill] : [];
    });
    return skills.sort((a, b) => a.name.localeCompare(b.name));
}

/** A SKILL.md that is not UTF-8 or whose frontmatter does not parse is left out, as it could not be loaded. */
function readSkill(folder: string, bytes: Buffer | undefined): SkillInfo | null {
    if (!bytes) return null;
    let data: Record<string, unknown>;
    try {
        data = readFrontmatter(new TextDecoder("utf-8", { fatal: true }).decode(bytes))?.data ?? {};
    } catch {
        return null;
    }
    const triggers = typeof data.triggers === "string" ? [data.triggers] : Array.isArray(data.triggers) ? data.triggers : [];
    return {
        name: typeof data.name === "string" && data.name.trim() !== "" ? data.name.trim() : folder,
        description: typeof data.description === "string" ? data.description : "",
        triggers: triggers.filter((t): t is string | number => typeof t === "string" || typeof t === "number").map(String),
    };
}
