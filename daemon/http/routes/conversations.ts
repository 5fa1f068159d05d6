/** The conversations API (docs/api.md), every route with a `messages` token: thin over ConversationQueryService. */
import type Router from "@koa/router";
import { ROUTES } from "../../../shared/protocol/api";
import type { ConversationQueryService } from "../../services/conversation-query";
import type { TokenService } from "../../services/tokens";
import { requireToken } from "../guards";

export interface ConversationRouteDeps {
    queries: ConversationQueryService;
    tokens: TokenService;
}

export function conversationRoutes(router: Router, deps: ConversationRouteDeps): void {
    const auth = requireToken(deps.tokens, "messages");
    const { queries } = deps;

    // search and count before `:id`, which would match them too.
    router.get(ROUTES.conversationSearch, auth, async (ctx) => {
        ctx.body = await queries.search(ctx.query);
    });
    router.get(ROUTES.conversationCount, auth, async (ctx) => {
        ctx.body = await queries.count(ctx.query);
    });
    router.get(ROUTES.conversations, auth, async (ctx) => {
        ctx.body = await queries.batch(ctx.query);
    });
    router.get(ROUTES.conversation, auth, async (ctx) => {
        ctx.body = await queries.get(ctx.params.id!);
    });
    router.get(ROUTES.conversationBranches, auth, async (ctx) => {
        ctx.body = await queries.branches(ctx.params.id!);
    });
    router.get(ROUTES.conversationBranch, auth, async (ctx) => {
        ctx.body = await queries.branch(ctx.params.id!, ctx.params.branch_id!);
    });
    router.get(ROUTES.conversationDownload, auth, async (ctx) => {
        const download = await queries.download(ctx.params.id!);
        ctx.attachment(download.filename);
        ctx.type = "application/zip";
        ctx.body = download.zip;
    });
    router.get(ROUTES.conversationSkills, auth, async (ctx) => {
        ctx.body = await queries.skills(ctx.params.id!);
    });
}
