/**
 * The per-user service definitions of `lodge service install` (docs/cli.md): a systemd user unit on Linux,
 * a launchd agent on macOS. Both run the same command line: this Node with `--env-file` (the agents'
 * API keys live in `<data>/service.env`, 0600, since a service does not see the login shell's
 * environment) and this package's `bin/lodge.cjs start` with the flags given. Pure text.
 */
export interface ServiceSpec {
    node: string;
    /** Absolute path of bin/lodge.cjs. */
    bin: string;
    vault: string;
    data: string;
    port: number;
    envFile: string;
    /** launchd only: where stdout and stderr go (systemd keeps them in the journal). */
    logFile: string;
}

export const SYSTEMD_UNIT = "lodge.service";
export const LAUNCHD_LABEL = "md.lodge.daemon";

/** The daemon's command line, as argv. */
export function serviceArgs(s: ServiceSpec): string[] {
    return [s.node, `--env-file=${s.envFile}`, s.bin, "start", "--vault", s.vault, "--data", s.data, "--port", String(s.port)];
}

/** systemd quotes an argument with double quotes, escaping `\`, `"` and `$`/`%` specifiers. */
function systemdQuote(arg: string): string {
    return `"${arg.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$/g, "$$$$").replace(/%/g, "%%")}"`;
}

export function systemdUnit(s: ServiceSpec): string {
    return [
        "# Written by `lodge service install`; `lodge service uninstall` removes it.",
        "[Unit]",
        "Description=Lodge: chat with AI agents inside Obsidian notes",
        "After=network.target",
        "",
        "[Service]",
        "Type=simple",
        `ExecStart=${serviceArgs(s).map(systemdQuote).join(" ")}`,
        // SIGTERM lets running turns finish or stop within 5 s (docs/cli.md); give it room before SIGKILL.
        "KillSignal=SIGTERM",
        "TimeoutStopSec=15",
        "Restart=on-failure",
        "RestartSec=5",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ].join("\n");
}

const xml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function launchdPlist(s: ServiceSpec): string {
    const args = serviceArgs(s).map((a) => `        <string>${xml(a)}</string>`);
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
        '<plist version="1.0">',
        "<dict>",
        "    <key>Label</key>",
        `    <string>${LAUNCHD_LABEL}</string>`,
        "    <key>ProgramArguments</key>",
        "    <array>",
        ...args,
        "    </array>",
        "    <key>RunAtLoad</key>",
        "    <true/>",
        "    <key>KeepAlive</key>",
        "    <dict>",
        "        <key>SuccessfulExit</key>",
        "        <false/>",
        "    </dict>",
        "    <key>StandardOutPath</key>",
        `    <string>${xml(s.logFile)}</string>`,
        "    <key>StandardErrorPath</key>",
        `    <string>${xml(s.logFile)}</string>`,
        "</dict>",
        "</plist>",
        "",
    ].join("\n");
}
