/**
 * The one funnel through which errors reach the person: a Notice with the daemon's own message (or
 * ours when it did not answer). The repository's lint forbids console output in plugin/, so the
 * Notice is the whole report.
 */
import { Notice } from "obsidian";
import { isTokenRefused, TOKEN_REFUSED } from "../connection";
import { DaemonError, DaemonUnreachableError } from "../daemon-client";

const NOTICE_MS = 8000;

/** The sentence the person reads. */
export function errorMessage(error: unknown): string {
    // The daemon's own 401 message cannot know how the plugin got its token; this one says what to do.
    if (isTokenRefused(error)) return `Lodge: ${TOKEN_REFUSED}`;
    if (error instanceof DaemonError) return `Lodge: ${error.message}`;
    if (error instanceof DaemonUnreachableError) return error.message;
    if (error instanceof Error) return `Lodge: ${error.message}`;
    return `Lodge: ${String(error)}`;
}

export function displayError(error: unknown): void {
    new Notice(errorMessage(error), NOTICE_MS);
}

export function notify(message: string): void {
    new Notice(message);
}
