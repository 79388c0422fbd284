import { createHmac } from 'node:crypto';

/** A placeholder we wrote earlier: `[REDACTED:<kebab-type>:<8 hex>]`. */
export const PLACEHOLDER_SOURCE = String.raw`\[REDACTED:[a-z0-9]+(?:-[a-z0-9]+)*:[0-9a-f]{8}\]`;

const PLACEHOLDER_ONLY = new RegExp(`^${PLACEHOLDER_SOURCE}$`);
const PLACEHOLDER_GLOBAL = new RegExp(PLACEHOLDER_SOURCE, 'g');

export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER_ONLY.test(text);
}

/** Where placeholders sit in `text`, so nothing ever redacts them again (idempotence). */
export function placeholderSpans(text: string): [number, number][] {
  // Cheap pre-check: almost no string contains a placeholder.
  if (!text.includes('[REDACTED:')) return [];
  const re = PLACEHOLDER_GLOBAL;
  re.lastIndex = 0;
  const spans: [number, number][] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    spans.push([m.index, m.index + m[0].length]);
  }
  return spans;
}

/** Placeholder types must stay kebab-case, or placeholderSpans would not recognise them. */
export function normaliseType(name: string): string {
  const type = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (type === '') throw new Error(`redact: pattern name ${JSON.stringify(name)} has no usable characters`);
  return type;
}

export type Tagger = (secret: string, type: string) => string;

/**
 * The tag is keyed (HMAC, per-install key) so the same secret gets the same tag across
 * records — you can tell "same key as before" — without the tag being a guessable hash.
 */
export function createTagger(key: Uint8Array): Tagger {
  const keyCopy = Buffer.from(key); // the caller may reuse or zero its buffer
  return (secret, type) => {
    const tag = createHmac('sha256', keyCopy).update(secret, 'utf8').digest('hex').slice(0, 8);
    return `[REDACTED:${type}:${tag}]`;
  };
}
