import assert from "node:assert/strict";
import { EventDecoder, PING_FRAME, encodeEvent, type StreamEvent } from "../../shared/protocol/events";

describe("EventDecoder", () => {
    const events: StreamEvent[] = [
        { event: "start", data: { agent: "a", conversation_id: "c", anchor: 3 } },
        { event: "delta", data: { at: 0, delete: 0, insert: "line\nbreak \u2028 😀" } },
        { event: "error", data: { code: "backend_error", message: "x", status_code: 502 } },
    ];

    it("decodes what encodeEvent writes, split at every possible byte", () => {
        const wire = events.map(encodeEvent).join(PING_FRAME);
        for (let cut = 0; cut <= wire.length; cut++) {
            const decoder = new EventDecoder();
            const got = [...decoder.push(wire.slice(0, cut)), ...decoder.push(wire.slice(cut))];
            assert.deepEqual(got, events);
        }
    });

    it("accepts CRLF and CR line ends and skips comments and unknown events", () => {
        const decoder = new EventDecoder();
        const got = decoder.push(': hi\r\nevent: other\r\ndata: {}\r\n\r\nevent: delta\rdata: {"at":1,"delete":0,"insert":"x"}\r\r\n');
        assert.deepEqual(got, [{ event: "delta", data: { at: 1, delete: 0, insert: "x" } }]);
    });
});
