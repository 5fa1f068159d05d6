/**
 * `GET /v1/events` (docs/daemon.md), with a `messages` token: thin over EventHub. With `?client=ID` the
 * stream also keeps that client's `POST /v1/chat/open` report alive (OpenNotes): the report ends
 * when the stream does.
 */
import type Router from "@koa/router";
import { LodgeError } from "../../../shared/errors";
import { ROUTES, type OpenNotesResponse } from "../../../shared/protocol/api";
import type { EventHub } from "../../services/event-hub";
import { MAX_OPEN_NOTES, type OpenNotes } from "../../services/open-notes";
import type { TokenService } from "../../services/tokens";
import type { Vault } from "../../vault/vault";
import { readJson } from "../body";
import { openEventStream } from "../event-stream";
import { requireToken } from "../guards";

const CLIENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

function clientId(value: unknown): string {
    if (typeof value !== "string" || !CLIENT_ID.test(value)) {
        throw new LodgeError(
            "bad_request",
            '"client" must be 1 to 128 letters, digits, "-" or "_", the same the plugin gave /v1/events?client=',
        );
    }
    return value;
}

export function eventRoutes(
    router: Router,
    deps: { events: EventHub; tokens: TokenService; openNotes: OpenNotes; vault: Vault; maxBodyBytes: number },
): void {
    const auth = requireToken(deps.tokens, "messages");

    router.get(ROUTES.events, auth, (ctx) => {
        const client = ctx.query.client === undefined ? null : clientId(ctx.query.client);
        const stream = openEventStream(ctx);
        stream.comment("connected");
        const unsubscribe = deps.events.subscribe((event) => stream.send(event));
        const disconnect = client === null ? () => undefined : deps.openNotes.connect(client);
        stream.onClientGone(() => {
            unsubscribe();
            disconnect();
        });
    });

    router.post(ROUTES.chatOpen, auth, async (ctx) => {
        const body = await readJson(ctx, deps.maxBodyBytes);
        const b = (typeof body === "object" && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
        const client = clientId(b.client);
        if (!Array.isArray(b.filenames) || b.filenames.some((f) => typeof f !== "string")) {
            throw new LodgeError("bad_request", '"filenames" must be a list of the notes open in the editor');
        }
        if (b.filenames.length > MAX_OPEN_NOTES) throw new LodgeError("bad_request", `"filenames" lists more than ${MAX_OPEN_NOTES} notes`);
        const notes = await Promise.all((b.filenames as string[]).map(async (f) => (await deps.vault.resolve(f)).relative));
        deps.openNotes.report(client, notes);
        const answer: OpenNotesResponse = { open: new Set(notes).size, connected: deps.openNotes.connected(client) };
        ctx.body = answer;
    });
}
