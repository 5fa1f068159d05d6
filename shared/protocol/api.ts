/** Route paths of the daemon's HTTP API (SPEC §5). Public names: never rename. */
export const ROUTES = {
    health: "/healthz",
    agents: "/v1/agents",
    chat: "/v1/chat",
    chatStream: "/v1/chat/stream",
    chatCancel: "/v1/chat/cancel",
} as const;
