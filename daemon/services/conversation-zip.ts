/**
 * A small ZIP writer for `GET /v1/conversations/<id>/download` (docs/api.md): whole entries in memory,
 * deflated with node:zlib (stored when deflating does not help), UTF-8 names, no ZIP64 (an entry or
 * the archive over 4 GiB is refused). Layout per APPNOTE.TXT: local headers with their data, then the
 * central directory, then its end record.
 */
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipEntry {
    name: string;
    data: Buffer | string;
}

const LIMIT = 0xffffffff;
const UTF8_NAMES = 0x0800;
const STORE = 0;
const DEFLATE = 8;
const VERSION = 20; // 2.0: deflate
const MADE_BY_UNIX = (3 << 8) | VERSION;
const FILE_MODE = 0o100644;

/** MS-DOS time and date (local time, 2-second steps, from 1980), as every ZIP tool reads them. */
function dosTime(at: Date): { time: number; date: number } {
    const year = Math.max(1980, at.getFullYear());
    return {
        time: (at.getHours() << 11) | (at.getMinutes() << 5) | Math.floor(at.getSeconds() / 2),
        date: ((year - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
    };
}

export function zip(entries: readonly ZipEntry[], modified: Date = new Date()): Buffer {
    if (entries.length > 0xffff) throw new Error("a zip without ZIP64 holds at most 65535 entries");
    const { time, date } = dosTime(modified);
    const parts: Buffer[] = [];
    const directory: Buffer[] = [];
    let offset = 0;
    for (const entry of entries) {
        const name = Buffer.from(entry.name, "utf8");
        const data = typeof entry.data === "string" ? Buffer.from(entry.data, "utf8") : entry.data;
        const deflated = deflateRawSync(data);
        const method = deflated.length < data.length ? DEFLATE : STORE;
        const body = method === DEFLATE ? deflated : data;
        if (data.length > LIMIT || offset > LIMIT) throw new Error(`${entry.name}: too large for a zip without ZIP64`);
        const crc = crc32(data);

        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(VERSION, 4);
        local.writeUInt16LE(UTF8_NAMES, 6);
        local.writeUInt16LE(method, 8);
        local.writeUInt16LE(time, 10);
        local.writeUInt16LE(date, 12);
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(body.length, 18);
        local.writeUInt32LE(data.length, 22);
        local.writeUInt16LE(name.length, 26);
        local.writeUInt16LE(0, 28); // no extra field

        const central = Buffer.alloc(46);
        central.writeUInt32LE(0x02014b50, 0);
        central.writeUInt16LE(MADE_BY_UNIX, 4);
        central.writeUInt16LE(VERSION, 6);
        central.writeUInt16LE(UTF8_NAMES, 8);
        central.writeUInt16LE(method, 10);
        central.writeUInt16LE(time, 12);
        central.writeUInt16LE(date, 14);
        central.writeUInt32LE(crc, 16);
        central.writeUInt32LE(body.length, 20);
        central.writeUInt32LE(data.length, 24);
        central.writeUInt16LE(name.length, 28);
        // extra length, comment length, disk number, internal attributes: all 0 (bytes 30–37)
        central.writeUInt32LE((FILE_MODE << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
        central.writeUInt32LE(offset, 42);

        parts.push(local, name, body);
        directory.push(central, name);
        offset += local.length + name.length + body.length;
    }
    const directorySize = directory.reduce((n, b) => n + b.length, 0);
    if (offset > LIMIT || directorySize > LIMIT) throw new Error("the archive is too large for a zip without ZIP64");
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    // disk numbers: 0 (bytes 4–7)
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(directorySize, 12);
    end.writeUInt32LE(offset, 16);
    // comment length: 0 (bytes 20–21)
    return Buffer.concat([...parts, ...directory, end]);
}
