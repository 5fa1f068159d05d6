/**
 * The words of a search (docs/api.md `q`, and `search_notes`' query, docs/context.md) as an FTS5 MATCH
 * expression: each word a whole word of the tokenizer, `word*` a prefix, all of them required.
 * Nothing the person typed is FTS5 syntax. One home for both indexes.
 */
export interface SearchWord {
    /** The word as the person typed it, without the trailing `*`. */
    text: string;
    /** `word*`: any word that starts with it. */
    prefix: boolean;
}

/** An FTS5 string literal: the whole text is one phrase of the tokenizer's words; nothing in it is syntax. */
export const phrase = (text: string): string => `"${text.replace(/"/g, '""')}"`;

/** One word as an FTS5 expression. */
export const wordExpression = (word: SearchWord): string => phrase(word.text) + (word.prefix ? " *" : "");

/** Every word, all required (FTS5's implicit AND). */
export const matchAll = (words: readonly SearchWord[]): string => words.map(wordExpression).join(" AND ");
