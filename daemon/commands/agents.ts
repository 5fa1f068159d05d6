/** `lodge agents`: the agents the daemon would run with this config (or auto-detected without one). */
import { resolve } from "node:path";
import { detectAgents, howToAddAgent } from "../agent-detect";
import { type LodgeConfig, loadConfigFile } from "../config";
import { deprecatedModels } from "../model-check";
import { dataFiles, defaultDataDir } from "../paths";

export async function effectiveConfig(o: { data?: string; config?: string }): Promise<{ config: LodgeConfig; configFile: string }> {
    const data = resolve(o.data ?? defaultDataDir());
    const configFile = resolve(o.config ?? dataFiles(data).config);
    return { config: loadConfigFile(configFile) ?? (await detectAgents()), configFile };
}

export async function agentsCommand(o: { data?: string; config?: string; json?: boolean; out: (line: string) => void }): Promise<void> {
    const { config, configFile } = await effectiveConfig(o);
    const agents = Object.values(config.agents);
    if (o.json) {
        o.out(
            JSON.stringify(
                {
                    agents: agents.map((a) => ({
                        name: a.name,
                        backend: a.backend,
                        model: a.model,
                        description: a.description,
                        base_url: a.base_url ?? null,
                        deprecated: deprecatedModels([a])[0]?.message ?? null,
                    })),
                    default_agent: config.default_agent,
                    config_file: configFile,
                    auto_detected: !config.file,
                },
                null,
                2,
            ),
        );
        return;
    }
    if (agents.length === 0) o.out(howToAddAgent(configFile));
    for (const a of agents) {
        const where = a.base_url ? ` at ${a.base_url}` : "";
        o.out(`${a.name}\t${a.backend}\t${a.model || "(default model)"}${where}${a.name === config.default_agent ? "\t[default]" : ""}`);
    }
    for (const d of deprecatedModels(agents)) o.out(`warning: agent ${d.agent}: ${d.message}`);
    if (!config.file) o.out(`(auto-detected: no config file at ${configFile})`);
}
