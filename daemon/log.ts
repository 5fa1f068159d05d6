/**
 * The daemon's log (docs/daemon.md, "Log"): pino on standard error. JSON lines when standard error is not a
 * terminal (a service, a pipe, a test), a readable line per event on a terminal. Every message passes
 * through `redact`, and keys that carry secrets are blanked by pino's own `redact`, so a token or an API key
 * never reaches a log, whatever an error message happened to carry.
 */
import pino, { type DestinationStream } from "pino";
import type PinoPretty from "pino-pretty";

/** What the rest of the daemon calls: `log.info("text")`, or `log.info({ key: value }, "text")`. */
export type Logger = Pick<pino.Logger, "debug" | "info" | "warn" | "error">;

/** `lodge start --log-level`: each level shows itself and the ones after it; `silent` shows nothing. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const secrets = new Set<string>();

/** Values to blank out of every log line (API keys read from the environment). */
export function addSecret(value: string | undefined): void {
    if (value && value.length >= 8) secrets.add(value);
}

/** The text redaction: also used for error answers, callouts and stored audit details. */
export function redact(line: string): string {
    let out = line
        .replace(/lodge_[A-Za-z0-9_-]{16,}/g, "lodge_[redacted]")
        .replace(/(authorization:?\s*(?:bearer|basic)\s+)\S+/gi, "$1[redacted]")
        .replace(/\bsk-[A-Za-z0-9_-]{8,}/g, "sk-[redacted]");
    for (const secret of secrets) out = out.split(secret).join("[redacted]");
    return out;
}

/** Keys whose values never reach a log line, at the top of a logged object or one level down. */
const SECRET_KEYS = ["token", "authorization", "api_key", "apiKey", "password", "secret", "env", "headers"];
export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`]);

export interface LogOptions {
    level?: LogLevel;
    /** Where lines go; standard error when absent. */
    destination?: DestinationStream;
    /** Readable lines instead of JSON; default: whether standard error is a terminal. */
    pretty?: boolean;
}

export function createLogger(options: LogOptions = {}): Logger {
    const pretty = options.pretty ?? (options.destination === undefined && process.stderr.isTTY === true);
    const stream = options.destination ?? (pretty ? prettyStream() : pino.destination({ dest: 2, sync: true }));
    return pino(
        {
            level: options.level ?? "info",
            base: { pid: process.pid },
            timestamp: pino.stdTimeFunctions.isoTime,
            // A level a person can grep for ("level":"warn") instead of pino's numbers; the readable
            // format reads pino's numbers, so it keeps them.
            formatters: pretty ? {} : { level: (label) => ({ level: label }) },
            redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
            serializers: { err: (err: Error) => redactedError(pino.stdSerializers.err(err)) },
            hooks: {
                logMethod(args, method) {
                    method.apply(this, args.map((a: unknown) => (typeof a === "string" ? redact(a) : a)) as Parameters<pino.LogFn>);
                },
            },
        },
        stream,
    );
}

function redactedError(err: pino.SerializedError): pino.SerializedError {
    return { ...err, message: redact(err.message), stack: redact(err.stack) };
}

/**
 * pino-pretty as a synchronous stream in this process, not a worker transport: a transport loads its
 * worker from a file path, which the bundle (dist/lodge.cjs) does not have; and synchronous writes mean
 * the last lines before an exit are never lost. Loaded only on a terminal, so other runs never pay for it.
 */
function prettyStream(): DestinationStream {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
    const build = require("pino-pretty") as typeof PinoPretty;
    return build({ sync: true, destination: 2, translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l", ignore: "pid,hostname" });
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
