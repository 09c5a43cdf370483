// Which strings may name things (ids, secret names): no control characters, no unpaired surrogates.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** An unpaired surrogate cannot be stored as UTF-8 (SQLite, PostgreSQL) without turning into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True for text that can name something: printable and storable as UTF-8 unchanged. */
export const isNamingText = (s: string): boolean => !CONTROL.test(s) && !LONE_SURROGATE.test(s);
