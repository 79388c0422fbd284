/**
 * A short copy that does not keep its source alive: V8's `slice` of a long string may point into the original,
 * and rows live as long as the report — a 2 000-character prefix must not hold a 200 KB message.
 */
export const own = (text: string, max: number) =>
  text.length <= max ? text : Buffer.from(text.slice(0, max), 'utf8').toString('utf8');

/** How much of the first and last user texts the facts keep. */
export const TEXT_FOR_FACTS = 2000;
