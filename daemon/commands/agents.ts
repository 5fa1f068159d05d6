/** `lodge agents`: the agents the daemon would run with this config (or auto-detected without one). */
import { resolve } from "node:path";
import { detectAgents, howToAddAgent } from "../agent-detect";
import { type LodgeConfig, loadConfigFile } from "../config";
import { dataFiles, defaultDataDir } from "../paths";

export async function effectiveConfig(o: { data?: string; config?: string }): Promise<{ config: LodgeConfig; configFile: string }> {
    const data = resolve(o.data ?? defaultDataDir());
    const configFile = resolve(o.config ?? dataFiles(data).config);
    return { config: loadConfigFile(configFile) ?? (await detectAgents()), configFile };
}

export async function agentsCommand(o: { data?: string; config?: string; out: (line: string) => void }): Promise<void> {
    const { config, configFile } = await effectiveConfig(o);
    const agents = Object.values(config.agents);
    if (agents.length === 0) o.out(howToAddAgent(configFile));
    for (const a of agents) {
        const where = a.base_url ? ` at ${a.base_url}` : "";
        o.out(`${a.name}\t${a.backend}\t${a.model || "(default model)"}${where}${a.name === config.default_agent ? "\t[default]" : ""}`);
    }
    if (!config.file) o.out(`(auto-detected: no config file at ${configFile})`);
}
