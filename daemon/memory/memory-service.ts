/**
 * Agent memory (docs/memory.md): each agent's bare git repository of blocks, created on first use, served
 * over smart HTTP, mirrored into the blocks table, compiled into the system prompt, and edited by the
 * memory tools. One lock per repository: a push (receive-pack and its sync) and an agent's edit take
 * turns. Knows nothing of Koa: routes hand it plain requests.
 */
import { join } from "node:path";
import { LodgeError } from "../../shared/errors";
import type { SkillInfo } from "../../shared/protocol/api";
import { runsDaemonTools } from "../backends/registry";
import type { PreparedTurn, ToolCall, ToolResult } from "../backends/types";
import type { AgentConfig } from "../config";
import type { Logger } from "../log";
import type { CanonicalMessage } from "../messages";
import type { BlockStore } from "../store/blocks";
import { newFrontmatter } from "./block-file";
import type { GitHttpAnswer, GitHttpRequest } from "./git-http";
import { runHttpBackend } from "./http-backend";
import { KeyedLock } from "./keyed-lock";
import { applyEdit, checkArgs } from "./memory-edits";
import { withMemory } from "./prompt";
import { checkPush } from "./push-check";
import { overLimit, refusePush } from "./push-refusal";
import { answerHook, HOOK_MARKER, type HookRequest } from "./push-hook";
import { MemoryRepo } from "./repository";
import { skillInfo } from "./skills";
import { SkillService, type SkillTurn, type SkillTurnContext } from "./skills-service";
import { type PushDigest, syncBlocks } from "./sync";
import { loadSkill } from "../tools/load-skill";
import { MEMORY_TOOLS } from "../tools/memory-tools";
import { toolBox } from "../tools/tool";

/** Letta's default descriptions (letta/constants.py). */
const SEED = [
    {
        path: "human.md",
        text: newFrontmatter(
            "The human block: Stores key details about the person you are conversing with, allowing for more personalized and friend-like conversation.",
        ),
    },
    {
        path: "persona.md",
        text: newFrontmatter(
            "The persona block: Stores details about your current persona, guiding how you behave and respond. This helps you to maintain consistency and personality in your interactions.",
        ),
    },
];
const LODGE = { name: "lodge", email: "lodge@lodge.local" };
const SERVICES = new Set(["git-upload-pack", "git-receive-pack"]);
/** A push or clone that takes longer than this is stopped (it holds the lock meanwhile). */
const GIT_TIME_LIMIT_MS = 10 * 60 * 1000;

export interface MemoryDeps {
    /** `<data>/memory`: holds `<agent>.git`. */
    dir: string;
    agents: Record<string, AgentConfig>;
    store: BlockStore;
    log: Logger;
    maxBodyBytes: number;
    /** Told after a push has been synced (its skills may have changed `/v1/config`). */
    onPush?: (agent: string) => void;
}

export class MemoryService {
    private readonly lock = new KeyedLock();
    private readonly ready = new Set<string>();
    private readonly skillService: SkillService;

    constructor(private readonly deps: MemoryDeps) {
        this.skillService = new SkillService((agent) => this.repo(agent));
    }

    repo(agent: string): MemoryRepo {
        return new MemoryRepo(join(this.deps.dir, `${agent}.git`));
    }

    /** Creates the agent's repository if it is missing and catches the table up with `main`. */
    async ensure(agent: string): Promise<void> {
        if (this.ready.has(agent) && this.repo(agent).exists()) return;
        await this.lock.with(agent, () => this.ensureLocked(agent));
    }

    private async ensureLocked(agent: string): Promise<void> {
        if (this.ready.has(agent) && this.repo(agent).exists()) return;
        const repo = this.repo(agent);
        await repo.ensure(SEED, LODGE);
        await syncBlocks(repo, this.deps.store, agent, this.deps.log);
        this.ready.add(agent);
    }

    /**
     * What memory adds to a turn: for agents with memory, the attached blocks and the skills' listing in
     * the system prompt, the bodies the new messages' triggers load (after the person's text), and, on
     * a backend whose tool loop the daemon runs, the memory tools plus `load_skill` when there are skills.
     */
    async prepareTurn(agent: AgentConfig, base: string, context: SkillTurnContext): Promise<PreparedTurn> {
        if (!agent.memory) return { system: base, pending: [...context.pending] };
        await this.ensure(agent.name);
        const skills = await this.skillService.forTurn(agent.name, context);
        const system = skills.prompt(withMemory(base, await this.deps.store.attached(agent.name)));
        if (!runsDaemonTools(agent.backend)) return { system, pending: skills.pending };
        const tools = skills.skills.length === 0 ? MEMORY_TOOLS : [...MEMORY_TOOLS, loadSkill];
        return { system, tools: toolBox(tools, { agent: agent.name, memory: this, skills }, this.deps.log), pending: skills.pending };
    }

    /**
     * The agent's skills as `/skills` and `/v1/config` list them. Skills belong to memory: an agent
     * with `memory: false` has none, and no repository is created to answer.
     */
    async skills(agent: string): Promise<SkillInfo[]> {
        if (!Object.hasOwn(this.deps.agents, agent) || !this.deps.agents[agent]!.memory) return [];
        return (await this.skillService.list(agent)).map(skillInfo);
    }

    /** The agent's skills as a conversation whose history is `kept` sees them (for `load_skill` outside a turn: the MCP server). */
    async skillsFor(agent: string, kept: readonly CanonicalMessage[]): Promise<SkillTurn> {
        await this.ensure(agent);
        return this.skillService.forTurn(agent, { kept, pending: [] });
    }

    async runTool(agent: string, call: ToolCall): Promise<ToolResult> {
        const answer = (content: string, isError: boolean): ToolResult => ({ tool_use_id: call.id, content, is_error: isError });
        const checked = checkArgs(call.name, call.input);
        if ("error" in checked) return answer(checked.error, true);
        try {
            const outcome = await this.lock.with(agent, async () => {
                await this.ensureLocked(agent);
                return applyEdit({ agent, repo: this.repo(agent), store: this.deps.store, log: this.deps.log }, checked.tool, checked.args);
            });
            if (!outcome.isError) this.maintain(agent);
            return answer(outcome.content, outcome.isError);
        } catch (err) {
            this.deps.log.error(`memory ${agent}: ${call.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
            return answer(`Error executing function ${call.name}: ${err instanceof Error ? err.message : String(err)}`, true);
        }
    }

    /** Serves one smart-HTTP request for `agent`'s repository. A push holds the lock until it is synced. */
    async serveGit(agent: string, request: GitHttpRequest): Promise<GitHttpAnswer> {
        if (!Object.hasOwn(this.deps.agents, agent)) throw new LodgeError("not_found", `no agent named "${agent}"`);
        const service = request.service === "info/refs" ? /(?:^|&)service=([\w-]+)/.exec(request.query)?.[1] : request.service;
        const allowed = request.service === "info/refs" ? request.method === "GET" : request.method === "POST";
        if (!service || !SERVICES.has(service) || !allowed)
            throw new LodgeError("not_found", `not a smart-HTTP git request: ${request.method} ${request.service}`);
        if (Number(request.contentLength ?? 0) > this.deps.maxBodyBytes) {
            if (request.service === "git-receive-pack") return refusePush(request.body, overLimit(this.deps.maxBodyBytes));
            throw new LodgeError("payload_too_large", `request bodies may have at most ${this.deps.maxBodyBytes} bytes`);
        }
        await this.ensure(agent);
        const repo = this.repo(agent);
        const push = request.service === "git-receive-pack";
        const release = push ? await this.lock.acquire(agent) : () => undefined;
        const warn = (message: string): void => this.deps.log.warn(`memory ${agent}: ${message}`);
        let digest: PushDigest | undefined;
        const check = async (hook: HookRequest): Promise<string[]> => {
            const checked = await checkPush(repo, hook);
            digest = checked.digest;
            return checked.problems;
        };
        let run: ReturnType<typeof runHttpBackend>;
        try {
            run = runHttpBackend({
                projectRoot: this.deps.dir,
                pathInfo: `/${agent}.git/${request.service}`,
                request,
                maxBodyBytes: this.deps.maxBodyBytes,
                timeLimitMs: GIT_TIME_LIMIT_MS,
                warn,
                ...(push && {
                    env: { [HOOK_MARKER]: "1" },
                    hook: (socket) => answerHook(socket, check, (err) => warn(`push check: ${String(err)}`)),
                    beforeEnd: async () => {
                        await syncBlocks(repo, this.deps.store, agent, this.deps.log, digest);
                        this.deps.onPush?.(agent);
                    },
                }),
            });
        } catch (err) {
            release();
            throw err;
        }
        // The lock is released once git has exited and the push is synced, not when the headers go out.
        void run.finished.then(() => {
            release();
            if (push) this.maintain(agent);
        });
        return run.answer;
    }

    /** Lets git pack loose objects now and then (receive-pack's own auto-gc is off; see MemoryRepo.ensure). */
    private maintain(agent: string): void {
        this.repo(agent)
            .gc()
            .catch((err: unknown) => this.deps.log.warn(`memory ${agent}: git gc: ${String(err)}`));
    }

    /** Waits for pushes and edits in progress (at shutdown, before the database closes), at most `limitMs`. */
    async close(limitMs = 5000): Promise<void> {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), limitMs)));
        if (await Promise.race([this.lock.idle().then(() => false), late]))
            this.deps.log.warn("memory: a push or edit was still running at shutdown");
        clearTimeout(timer);
    }
}
