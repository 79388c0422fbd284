/**
 * A session id is one path segment under `dir`: no `..`, no `/`, no leading dot or dash (a hidden folder, or
 * something a shell or `agenttap report --session` would read as an option). Apart from schema.ts so the
 * start-up check (check.ts) reads it without loading zod.
 */
export const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
