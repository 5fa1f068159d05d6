/** `GET /v1/events` (SPEC §15), with a `messages` token: thin over EventHub. */
import type Router from "@koa/router";
import { ROUTES } from "../../../shared/protocol/api";
import type { EventHub } from "../../services/event-hub";
import type { TokenService } from "../../services/tokens";
import { openEventStream } from "../event-stream";
import { requireToken } from "../guards";

export function eventRoutes(router: Router, deps: { events: EventHub; tokens: TokenService }): void {
    router.get(ROUTES.events, requireToken(deps.tokens, "messages"), (ctx) => {
        const stream = openEventStream(ctx);
        stream.onClientGone(deps.events.subscribe((event) => stream.send(event)));
    });
}
