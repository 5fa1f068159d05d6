/**
 * The `pre-receive` hook of every memory repository, and the daemon's end of its conversation.
 *
 * The daemon runs `git http-backend` with one more open descriptor, fd 3: a socket that git passes
 * on, untouched, to `receive-pack` and to this hook. The hook writes its ref updates and the
 * quarantine directories (where the pushed objects wait until the hook accepts them) to fd 3, then
 * prints the daemon's answer lines on stderr, which git shows the person as `remote:` lines, and exits
 * 0 or 1. No port, no secret, no second copy of the rules: only a process the daemon started holds
 * the socket. A push that does not come through the daemon (a `file://` push on the data folder) has
 * no fd 3 and is refused, so the blocks table never misses a commit.
 */
import type { Socket } from "node:net";

export const HOOK_MARKER = "LODGE_MEMORY_HOOK";

export const PRE_RECEIVE = `#!/bin/sh
# Lodge: pushes to agent memory are checked by the daemon that serves this repository.
if [ -z "$${HOOK_MARKER}" ] || ! { true >&3; } 2>/dev/null; then
    echo "lodge: push through the daemon (http://HOST:PORT/v1/git/AGENT/state.git), not to this folder" >&2
    exit 1
fi
{
    printf 'objects %s\\n' "$GIT_OBJECT_DIRECTORY"
    printf 'alternates %s\\n' "$GIT_ALTERNATE_OBJECT_DIRECTORIES"
    cat
    printf 'end\\n'
} >&3
while IFS= read -r line <&3; do
    case "$line" in
        accept) exit 0 ;;
        refuse) exit 1 ;;
        *) printf '%s\\n' "$line" >&2 ;;
    esac
done
exit 1
`;

export interface RefUpdate {
    old: string;
    new: string;
    ref: string;
}

export interface HookRequest {
    updates: RefUpdate[];
    /** The environment that lets git read the pushed objects while they are quarantined. */
    objectEnv: Record<string, string>;
}

/**
 * Serves the hook on the socket: reads one request, asks `check` for problems, answers with one line
 * per problem and the verdict. A failure of `check` refuses the push.
 */
export function answerHook(socket: Socket, check: (request: HookRequest) => Promise<string[]>, onError: (err: unknown) => void): void {
    let buffered = "";
    let answered = false;
    socket.setEncoding("utf8");
    socket.on("error", onError);
    socket.on("data", (chunk: string) => {
        buffered += chunk;
        if (answered || !buffered.endsWith("end\n")) return;
        answered = true;
        const request = parseRequest(buffered);
        check(request)
            .catch((err: unknown) => {
                onError(err);
                return ["lodge: the daemon could not check this push; see its log"];
            })
            .then((problems) => {
                const lines = problems.map((p) => p.replace(/[\r\n]+/g, " "));
                socket.end(`${[...lines, problems.length === 0 ? "accept" : "refuse"].join("\n")}\n`);
            }, onError);
    });
}

function parseRequest(text: string): HookRequest {
    const updates: RefUpdate[] = [];
    const objectEnv: Record<string, string> = {};
    for (const line of text.split("\n")) {
        if (line.startsWith("objects ")) objectEnv.GIT_OBJECT_DIRECTORY = line.slice("objects ".length);
        else if (line.startsWith("alternates ")) objectEnv.GIT_ALTERNATE_OBJECT_DIRECTORIES = line.slice("alternates ".length);
        else {
            const m = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) (\S.*)$/.exec(line);
            if (m) updates.push({ old: m[1]!, new: m[2]!, ref: m[3]! });
        }
    }
    for (const key of Object.keys(objectEnv)) if (objectEnv[key] === "") delete objectEnv[key];
    return { updates, objectEnv };
}
