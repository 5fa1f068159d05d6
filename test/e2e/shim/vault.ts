/**
 * `Vault`, `TAbstractFile`, `TFile`, `TFolder` and the adapter (obsidian.d.ts), over the harness
 * server's file routes, which read and write the real vault folder the daemon also uses. As in
 * Obsidian, vault operations run one at a time (a serial queue), so a `process` is atomic with
 * respect to the other operations of the page.
 */
import type * as obsidian from "obsidian";
import type { Api } from "./api";
import { Events } from "./events";

/** `TAbstractFile`: a vault entry. */
export abstract class TAbstractFile implements Api<obsidian.TAbstractFile, "vault" | "path" | "name" | "parent"> {
    constructor(
        public vault: Vault,
        public path: string,
    ) {}
    /** `name`: the last path segment. */
    get name(): string {
        return this.path.slice(this.path.lastIndexOf("/") + 1);
    }
    /** `parent`: the containing folder. */
    get parent(): TFolder | null {
        const dir = this.path.includes("/") ? this.path.slice(0, this.path.lastIndexOf("/")) : "/";
        const folder = this.vault.getAbstractFileByPath(dir);
        return folder instanceof TFolder ? folder : null;
    }
}

/** `TFile`: a file, with `basename` and `extension`. */
export class TFile extends TAbstractFile implements Api<obsidian.TFile, "basename" | "extension"> {
    get extension(): string {
        return this.name.includes(".") ? this.name.slice(this.name.lastIndexOf(".") + 1) : "";
    }
    get basename(): string {
        return this.extension ? this.name.slice(0, -this.extension.length - 1) : this.name;
    }
}

/** `TFolder`: a folder ("/" is the root). */
export class TFolder extends TAbstractFile {}

/** The harness server's file routes (test/e2e/harness/server.ts). */
export class FileApi {
    constructor(private readonly base: string) {}
    private url(route: string, path: string): string {
        return `${this.base}/api/${route}?path=${encodeURIComponent(path)}`;
    }
    async index(): Promise<{ path: string; kind: "file" | "folder" }[]> {
        return (await (await fetch(`${this.base}/api/index`)).json()) as { path: string; kind: "file" | "folder" }[];
    }
    async read(path: string): Promise<string | null> {
        const res = await fetch(this.url("file", path));
        if (res.status === 404) return null;
        if (!res.ok) throw new Error(`read ${path}: HTTP ${res.status}`);
        return res.text();
    }
    async write(path: string, data: string): Promise<void> {
        const res = await fetch(this.url("file", path), { method: "PUT", body: data });
        if (!res.ok) throw new Error(`write ${path}: HTTP ${res.status}`);
    }
    async mkdir(path: string): Promise<void> {
        const res = await fetch(this.url("folder", path), { method: "POST" });
        if (!res.ok) throw new Error(`mkdir ${path}: HTTP ${res.status}`);
    }
}

/** `DataAdapter` (the subset used for plugin data): paths relative to the vault, dot-folders included. */
export class Adapter implements Api<obsidian.DataAdapter, "read" | "exists" | "write"> {
    constructor(private readonly api: FileApi) {}
    /** `read(normalizedPath)`. */
    async read(path: string): Promise<string> {
        const text = await this.api.read(path);
        if (text === null) throw new Error(`ENOENT: ${path}`);
        return text;
    }
    /** `exists(normalizedPath)`. */
    async exists(path: string): Promise<boolean> {
        return (await this.api.read(path)) !== null;
    }
    /** `write(normalizedPath, data)`. */
    async write(path: string, data: string): Promise<void> {
        await this.api.write(path, data);
    }
}

/** `Vault`: files by path, reads and writes, and the `create`/`modify`/`delete`/`rename` events. */
export class Vault
    extends Events
    implements
        Api<
            obsidian.Vault,
            | "adapter"
            | "configDir"
            | "getAbstractFileByPath"
            | "getMarkdownFiles"
            | "read"
            | "cachedRead"
            | "modify"
            | "process"
            | "create"
            | "createFolder"
        >
{
    readonly adapter: Adapter;
    /** `configDir`: ".obsidian". */
    readonly configDir = ".obsidian";
    private readonly files = new Map<string, TAbstractFile>();
    private queue: Promise<unknown> = Promise.resolve();

    constructor(private readonly api: FileApi) {
        super();
        this.adapter = new Adapter(api);
        this.files.set("/", new TFolder(this, "/"));
    }

    /** Loads the index of the vault folder (Obsidian does this at start-up). */
    async load(): Promise<void> {
        for (const entry of await this.api.index()) this.add(entry.path, entry.kind);
    }

    private add(path: string, kind: "file" | "folder"): TAbstractFile {
        const existing = this.files.get(path);
        if (existing) return existing;
        const entry = kind === "file" ? new TFile(this, path) : new TFolder(this, path);
        this.files.set(path, entry);
        return entry;
    }

    /** Runs vault operations one after another, as Obsidian's vault does. */
    private serial<T>(op: () => Promise<T>): Promise<T> {
        const next = this.queue.then(op, op);
        this.queue = next.catch(() => undefined);
        return next;
    }

    /** `getAbstractFileByPath(path)`. */
    getAbstractFileByPath(path: string): TAbstractFile | null {
        return this.files.get(path) ?? null;
    }

    /** `getMarkdownFiles()`. */
    getMarkdownFiles(): TFile[] {
        return [...this.files.values()].filter((f): f is TFile => f instanceof TFile && f.extension === "md");
    }

    /** `read(file)`. */
    read(file: TFile): Promise<string> {
        return this.serial(async () => {
            const text = await this.api.read(file.path);
            if (text === null) throw new Error(`ENOENT: ${file.path}`);
            return text;
        });
    }

    /** `cachedRead(file)`: here the same as `read`. */
    cachedRead(file: TFile): Promise<string> {
        return this.read(file);
    }

    /** `modify(file, data)`: writes and triggers `modify`. */
    modify(file: TFile, data: string): Promise<void> {
        return this.serial(async () => {
            await this.api.write(file.path, data);
            this.trigger("modify", file);
        });
    }

    /** `process(file, fn)`: atomic read-modify-write; `fn` is synchronous; resolves with the new text. */
    process(file: TFile, fn: (data: string) => string): Promise<string> {
        return this.serial(async () => {
            const data = await this.api.read(file.path);
            if (data === null) throw new Error(`ENOENT: ${file.path}`);
            const next = fn(data);
            if (next !== data) {
                await this.api.write(file.path, next);
                this.trigger("modify", file);
            }
            return next;
        });
    }

    /** `create(path, data)`: fails when the path exists. */
    create(path: string, data: string): Promise<TFile> {
        return this.serial(async () => {
            if (this.files.has(path)) throw new Error("File already exists.");
            await this.api.write(path, data);
            const file = this.add(path, "file") as TFile;
            this.trigger("create", file);
            return file;
        });
    }

    /** `createFolder(path)`. */
    createFolder(path: string): Promise<TFolder> {
        return this.serial(async () => {
            if (this.files.has(path)) throw new Error("Folder already exists.");
            await this.api.mkdir(path);
            const folder = this.add(path, "folder");
            this.trigger("create", folder);
            return folder;
        });
    }
}
