/** A git smart-HTTP exchange as the memory routes hand it to `git http-backend` (http-backend.ts) and get it back. */
import type { Readable } from "node:stream";

export interface GitHttpRequest {
    method: string;
    /** What follows `state.git/`: `info/refs`, `git-upload-pack` or `git-receive-pack`. */
    service: string;
    query: string;
    contentType?: string;
    contentLength?: string;
    contentEncoding?: string;
    gitProtocol?: string;
    body: Readable;
    /** Who is pushing (the token's name): git records it in the reflog. */
    user: string;
}

export interface GitHttpAnswer {
    status: number;
    headers: Record<string, string>;
    body: Readable;
}
