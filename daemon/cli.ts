import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createApp } from "./http/app";
import { VERSION } from "./version";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8765;
const server = createServer(createApp().callback() as (req: IncomingMessage, res: ServerResponse) => void).listen(port, "127.0.0.1", () => {
    const address = server.address();
    if (address && typeof address === "object") process.stdout.write(`lodge ${VERSION} listening on http://127.0.0.1:${address.port}\n`);
});
const stop = (): void => void server.close(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
