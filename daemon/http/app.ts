import Koa from "koa";
import { ROUTES } from "../../shared/protocol/api";
import { VERSION } from "../version";

/** Builds the Koa app. It never listens by itself: main.ts (or a test) does. */
export function createApp(): Koa {
    const app = new Koa();
    app.use((ctx) => {
        if (ctx.path === ROUTES.health) ctx.body = { status: "ok", version: VERSION };
    });
    return app;
}
