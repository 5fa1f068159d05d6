/**
 * The `lodge` command (docs/cli.md): start, token, agents, install-plugin, doctor. Each command parses
 * its flags and calls one function; the work is elsewhere.
 */
import { Command, InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import { agentsCommand } from "./commands/agents";
import { acpCommand } from "./commands/acp";
import { chatCommand } from "./commands/chat";
import { doctorCommand } from "./commands/doctor";
import { mcpCommand } from "./commands/mcp";
import { installPluginCommand } from "./commands/install-plugin";
import { serviceCommand } from "./commands/service";
import { tokenCommand } from "./commands/tokens";
import { personMessage } from "./cli-errors";
import { LOG_LEVELS, type LogLevel } from "./log";
import { startDaemon } from "./main";
import { dataFiles, defaultDataDir } from "./paths";
import { VERSION } from "./version";

const out = (line: string): void => void process.stdout.write(`${line}\n`);

function port(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("a port is a whole number from 0 to 65535");
    return n;
}

function logLevel(value: string): LogLevel {
    if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`the log levels are ${LOG_LEVELS.join(", ")}`);
    return value as LogLevel;
}

const program = new Command("lodge").description("Chat with AI agents inside Obsidian notes: the local daemon.").version(VERSION);

program
    .command("start")
    .description("run the daemon")
    .option("--vault <dir>", "the Obsidian vault (created with a welcome chat note if missing)", "./vault")
    .option("--data <dir>", "data folder (default: $LODGE_HOME, else ~/.local/share/lodge)")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port (0 = any free port)", port, 8765)
    .option("--config <file>", "config file (default: <data>/config.yaml)")
    .option("--print-token", "print the plugin token itself instead of where it is")
    .option(
        "--log-level <level>",
        `the least severe log lines shown on standard error: ${LOG_LEVELS.join(", ")} (default info; debug with LODGE_DEBUG=1)`,
        logLevel,
        (process.env.LODGE_DEBUG ? "debug" : "info") as LogLevel,
    )
    .action(
        async (o: {
            vault: string;
            data?: string;
            host: string;
            port: number;
            config?: string;
            printToken?: boolean;
            logLevel: LogLevel;
        }) => {
            const data = resolve(o.data ?? defaultDataDir());
            const daemon = await startDaemon({
                vault: o.vault,
                data,
                host: o.host,
                port: o.port,
                configFile: resolve(o.config ?? dataFiles(data).config),
                configExplicit: o.config !== undefined,
                printToken: o.printToken,
                logLevel: o.logLevel,
            });
            const stop = (): void => {
                daemon.close().then(
                    () => process.exit(0),
                    (err: unknown) => {
                        process.stderr.write(`lodge: shutdown failed: ${String(err)}\n`);
                        process.exit(1);
                    },
                );
            };
            process.once("SIGINT", stop);
            process.once("SIGTERM", stop);
        },
    );

const token = program.command("token").description("manage API tokens (works whether or not the daemon runs)");
token
    .command("create <name>")
    .description("create a token; it is printed once, alone on the last line")
    .option("--scope <scopes>", "comma-separated: messages, memory, admin", "messages,memory")
    .option("--data <dir>", "data folder")
    .action((name: string, o: { scope: string; data?: string }) => tokenCommand({ op: "create", name, scope: o.scope, data: o.data, out }));
token
    .command("list")
    .description("list tokens (names and scopes, never the tokens)")
    .option("--data <dir>", "data folder")
    .option("--json", 'print JSON: {"tokens": [{"name", "scopes", "created_at"}]}')
    .action((o: { data?: string; json?: boolean }) => tokenCommand({ op: "list", data: o.data, json: o.json, out }));
token
    .command("revoke <name>")
    .description("revoke a token")
    .option("--data <dir>", "data folder")
    .action((name: string, o: { data?: string }) => tokenCommand({ op: "revoke", name, data: o.data, out }));

program
    .command("agents")
    .description("list the agents the daemon would run")
    .option("--data <dir>", "data folder")
    .option("--config <file>", "config file")
    .option("--json", 'print JSON: {"agents": [...], "default_agent", "config_file", "auto_detected"}')
    .action((o: { data?: string; config?: string; json?: boolean }) => agentsCommand({ ...o, out }));

program
    .command("install-plugin")
    .description("copy the Obsidian plugin into a vault and give it a fresh token")
    .requiredOption("--vault <dir>", "the Obsidian vault")
    .option("--data <dir>", "data folder")
    .option("--url <url>", "the daemon's URL (default: the running daemon's, else http://127.0.0.1:8765)")
    .action((o: { vault: string; data?: string; url?: string }) => installPluginCommand({ ...o, out }));

program
    .command("doctor")
    .description("check git, the data folder, the database, each agent's backend and the port")
    .option("--data <dir>", "data folder")
    .option("--config <file>", "config file")
    .option("--port <port>", "the port to check (default: the running daemon's, else 8765)", port)
    .option("--url <url>", "check the daemon answering at this URL")
    .option("--json", 'print JSON: {"ok", "problems", "checks": [{"name", "status", "detail"}]}')
    .action(async (o: { data?: string; config?: string; port?: number; url?: string; json?: boolean }) => {
        process.exitCode = (await doctorCommand({ ...o, out, tty: process.stdout.isTTY })) ? 0 : 1;
    });

const service = program
    .command("service")
    .description("run the daemon at login as a per-user service (systemd on Linux, launchd on macOS)");
service
    .command("install")
    .description("install the service with these flags and start it")
    .option("--vault <dir>", "the Obsidian vault", "./vault")
    .option("--data <dir>", "data folder (default: $LODGE_HOME, else ~/.local/share/lodge)")
    .option("--port <port>", "port", port, 8765)
    .action(async (o: { vault: string; data?: string; port: number }) => void (await serviceCommand({ op: "install", ...o, out })));
service
    .command("uninstall")
    .description("stop the service and remove it (the data folder stays)")
    .option("--data <dir>", "data folder")
    .action(async (o: { data?: string }) => void (await serviceCommand({ op: "uninstall", ...o, out })));
service
    .command("status")
    .description("whether the service runs, and its URL (exit 0 only when it runs)")
    .option("--data <dir>", "data folder")
    .action(async (o: { data?: string }) => {
        process.exitCode = (await serviceCommand({ op: "status", ...o, out })) ? 0 : 1;
    });

program
    .command("mcp")
    .description("Lodge's MCP server over stdio, for MCP clients that start servers as programs (bridges to the running daemon)")
    .option("--agent <name>", "fix the agent the memory tools act on (else they take an `agent` argument)")
    .option("--data <dir>", "data folder (finds the daemon through its daemon.json)")
    .option("--token <token>", "token to use (default: $LODGE_TOKEN, else <data>/mcp-token, made on first use)")
    .action((o: { agent?: string; data?: string; token?: string }) => mcpCommand(o));

program
    .command("chat [message]")
    .description(
        "chat with an agent through the running daemon; the conversation is logged as a chat note (MESSAGE - reads standard input; none on a terminal: a prompt loop)",
    )
    .option("--agent <name>", "the agent (default: the conversation's, else the default agent)")
    .option("--note <path>", "add the message as a new user turn to this vault note and answer it, as a save in Obsidian would")
    .option("--continue", "continue the last conversation of lodge chat")
    .option("--json", 'print one JSON object at the end: {"status", "agent", "conversation_id", "note", "reply", "usage"}')
    .option("--data <dir>", "data folder (default: $LODGE_HOME, else ~/.local/share/lodge)")
    .action(
        async (message: string | undefined, o: { agent?: string; note?: string; continue?: boolean; json?: boolean; data?: string }) => {
            process.exitCode = await chatCommand({ ...o, message });
        },
    );

program
    .command("acp")
    .description("an Agent Client Protocol agent over stdio (for Zed and other ACP clients), talking to the running daemon")
    .option("--agent <name>", "the agent (default: the conversation's, else the default agent)")
    .option("--data <dir>", "data folder (default: $LODGE_HOME, else ~/.local/share/lodge)")
    .action(async (o: { agent?: string; data?: string }) => {
        await acpCommand(o);
        process.exit(0);
    });

program.parseAsync().catch((err: unknown) => {
    process.stderr.write(`lodge: ${personMessage(err)}\n`);
    process.exit(1);
});
