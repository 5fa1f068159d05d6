/**
 * What keeps the shim honest: the type-level link from each shim class to the class of
 * node_modules/obsidian/obsidian.d.ts it stands in for. A shim class declares
 * `implements Api<obsidian.X, "member" | …>` for the members it provides, and `npm run typecheck`
 * (tsconfig.json covers test/) fails when one of them is missing or disagrees with Obsidian's.
 *
 * A shim class cannot simply `implements Pick<obsidian.Vault, "read">`: Obsidian's `read` takes an
 * `obsidian.TFile`, whose `vault` is a whole `obsidian.Vault`, which the shim is not. So `Api` reads
 * each member's type with every Obsidian class the shim stands in for replaced by the shim's class
 * (`AsShim`): `read(file: TFile)` of the shim is checked against `(file: TFile) => Promise<string>`,
 * both `TFile`s the shim's. Members are function-typed properties there, so parameters are checked
 * strictly: the shim must accept everything Obsidian's member accepts and return what it returns.
 * Limits: an overloaded member is checked against its last overload, and a generic one with its
 * type parameters at their constraints.
 */
import type * as obsidian from "obsidian";
import type { App, Command, Plugin, SecretStorage } from "./app";
import type { Editor, MarkdownView } from "./editor";
import type { Component, Events } from "./events";
import type {
    ButtonComponent,
    DropdownComponent,
    Modal,
    Notice,
    PluginSettingTab,
    Setting,
    SuggestModal,
    TextComponent,
    ToggleComponent,
} from "./ui";
import type { Adapter, TAbstractFile, TFile, TFolder, Vault } from "./vault";
import type { Workspace, WorkspaceLeaf } from "./workspace";

/**
 * Obsidian's class (or interface) and the shim's stand-in, matched by mutual assignability (so an
 * Obsidian class is never taken for its base class). Every view of the shim is a MarkdownView.
 */
type Pairs = [
    [obsidian.App, App],
    [obsidian.Plugin, Plugin],
    [obsidian.SecretStorage, SecretStorage],
    [obsidian.Command, Command],
    [obsidian.Vault, Vault],
    [obsidian.DataAdapter, Adapter],
    [obsidian.TFile, TFile],
    [obsidian.TFolder, TFolder],
    [obsidian.TAbstractFile, TAbstractFile],
    [obsidian.Workspace, Workspace],
    [obsidian.WorkspaceLeaf, WorkspaceLeaf],
    [obsidian.MarkdownView, MarkdownView],
    [obsidian.View, MarkdownView],
    [obsidian.Editor, Editor],
    [obsidian.Component, Component],
    [obsidian.Events, Events],
    [obsidian.Notice, Notice],
    [obsidian.Setting, Setting],
    [obsidian.TextComponent, TextComponent],
    [obsidian.ToggleComponent, ToggleComponent],
    [obsidian.DropdownComponent, DropdownComponent],
    [obsidian.ButtonComponent, ButtonComponent],
    [obsidian.PluginSettingTab, PluginSettingTab],
    [obsidian.SuggestModal<unknown>, SuggestModal<unknown>],
    [obsidian.Modal, Modal],
];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

type Lookup<T, P> = P extends [[infer O, infer S], ...infer Rest] ? (Same<T, O> extends true ? S : Lookup<T, Rest>) : Structure<T>;

/** Functions, constructors, promises and arrays are read through; anything else is kept as it is. */
type Structure<T> = T extends (...args: infer A) => infer R
    ? (...args: Args<A>) => AsShim<R>
    : T extends abstract new (...args: infer A) => infer R
      ? abstract new (...args: A) => AsShim<R>
      : T extends Promise<infer U>
        ? Promise<AsShim<U>>
        : T extends (infer U)[]
          ? AsShim<U>[]
          : T;

type Args<A extends unknown[]> = { [I in keyof A]: AsShim<A[I]> };

/** An Obsidian type as the shim provides it (unions member by member; `any` stays `any`). */
export type AsShim<T> = 0 extends 1 & T ? T : T extends unknown ? Lookup<T, Pairs> : never;

/** The members `K` of Obsidian's `T`, as the shim's class must provide them. */
export type Api<T, K extends keyof T> = { [P in K]: AsShim<T[P]> };

/** A constructor that takes what Obsidian's `C` takes (for the classes the plugin constructs or extends). */
export type Constructs<C> = C extends abstract new (...args: infer A) => unknown ? abstract new (...args: Args<A>) => unknown : never;

/** Compiles only when the shim's `Shim` is assignable to `Obsidian`'s. */
type Check<Shim extends Obsidian, Obsidian> = Shim;

/**
 * The constructors `implements` cannot see: those the plugin calls (`new Notice`, `new Setting`) or
 * reaches through `super(…)` (its Plugin, setting tab and picker), and those the shim calls in
 * Obsidian's place (the components a Setting adds).
 */
export type ConstructorChecks = [
    Check<typeof Component, Constructs<typeof obsidian.Component>>,
    Check<typeof Plugin, Constructs<typeof obsidian.Plugin>>,
    Check<typeof Notice, Constructs<typeof obsidian.Notice>>,
    Check<typeof Setting, Constructs<typeof obsidian.Setting>>,
    Check<typeof TextComponent, Constructs<typeof obsidian.TextComponent>>,
    Check<typeof ToggleComponent, Constructs<typeof obsidian.ToggleComponent>>,
    Check<typeof DropdownComponent, Constructs<typeof obsidian.DropdownComponent>>,
    Check<typeof ButtonComponent, Constructs<typeof obsidian.ButtonComponent>>,
    Check<typeof PluginSettingTab, Constructs<typeof obsidian.PluginSettingTab>>,
    Check<typeof Modal, Constructs<typeof obsidian.Modal>>,
    Check<typeof SuggestModal, Constructs<typeof obsidian.SuggestModal>>,
];
