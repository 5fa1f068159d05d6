/**
 * The daemon's log: one line per event on standard error. Every line passes through `redact`, so a
 * token or an API key never reaches a log, whatever an error message happened to carry.
 */
export interface Logger {
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
}

const secrets = new Set<string>();

/** Values to blank out of every log line (API keys read from the environment). */
export function addSecret(value: string | undefined): void {
    if (value && value.length >= 8) secrets.add(value);
}

export function redact(line: string): string {
    let out = line
        .replace(/lodge_[A-Za-z0-9_-]{16,}/g, "lodge_[redacted]")
        .replace(/(authorization:?\s*(?:bearer|basic)\s+)\S+/gi, "$1[redacted]")
        .replace(/\bsk-[A-Za-z0-9_-]{8,}/g, "sk-[redacted]");
    for (const secret of secrets) out = out.split(secret).join("[redacted]");
    return out;
}

export function createLogger(write: (line: string) => void = (l) => process.stderr.write(l), quiet = false): Logger {
    const line = (level: string, message: string): void => {
        if (quiet && level === "info") return;
        write(`${new Date().toISOString()} ${level} ${redact(message)}\n`);
    };
    return {
        info: (m) => line("info", m),
        warn: (m) => line("warn", m),
        error: (m) => line("error", m),
    };
}

/**
 * Libraries that warn on the console (the Anthropic SDK warns about deprecated models on every
 * request) go through the log instead: redacted, timestamped, and each distinct warning once.
 */
export function routeConsoleWarnings(log: Logger): void {
    const seen = new Set<string>();
    // eslint-disable-next-line no-console -- replacing console.warn is the point: it is not a log call
    console.warn = (...args: unknown[]) => {
        const message = args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ");
        if (seen.has(message)) return;
        seen.add(message);
        log.warn(message);
    };
}
