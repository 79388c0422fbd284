/** A JSON object (not an array, not null): the one predicate every module that walks request bodies uses. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
