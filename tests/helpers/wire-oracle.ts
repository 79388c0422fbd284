/**
 * An oracle for "the log holds what went over the wire, redacted" that does not use the product's redactor
 * (running it on both sides hides its own errors) and does not sort or ignore key order (which hides the
 * log's). The wire value — the mock's parsed record of what arrived, or what an SDK handed its agent — is the
 * expectation; a logged string may differ from its wire string only where a placeholder stands for one of the
 * secrets the test planted, and everything around each placeholder must be the wire's own text. The planted
 * secrets must appear nowhere in the logged value; a placeholder over anything else is over-redaction.
 */
import { expect } from 'vitest';

/** What the redactor writes in place of a secret: `[REDACTED:<type>:<8 hex tag>]`, matched independently. */
export const PLACEHOLDER = /\[REDACTED:[a-z0-9-]+:[0-9a-f]{8}\]/g;

export interface WireOracleOptions {
  /** Secrets the test planted: none may appear in the logged value, whole or JSON-escaped. */
  secrets?: readonly string[];
  /** Object keys in the wire's order (true for request bodies; a reassembled answer has no wire order). */
  keyOrder?: boolean;
  /** Names the value in failure messages. */
  label?: string;
}

export function expectLoggedAsWire(logged: unknown, wire: unknown, options: WireOracleOptions = {}): void {
  const label = options.label ?? 'logged';
  const text = JSON.stringify(logged) ?? '';
  for (const secret of options.secrets ?? []) {
    expect(
      text.includes(secret) || text.includes(JSON.stringify(secret).slice(1, -1)),
      `${label}: a planted secret is in the log`,
    ).toBe(false);
  }
  walk(logged, wire, label, options.keyOrder ?? true, options.secrets ?? []);
}

function walk(logged: unknown, wire: unknown, path: string, keyOrder: boolean, secrets: readonly string[]): void {
  if (typeof wire === 'string' && typeof logged === 'string') {
    expectSameAroundPlaceholders(logged, wire, path, secrets);
    return;
  }
  if (Array.isArray(wire)) {
    expect(Array.isArray(logged), `${path}: an array on the wire`).toBe(true);
    const items = logged as unknown[];
    expect(items.length, `${path}: length`).toBe(wire.length);
    wire.forEach((item, i) => {
      walk(items[i], item, `${path}[${i}]`, keyOrder, secrets);
    });
    return;
  }
  if (wire !== null && typeof wire === 'object') {
    expect(
      logged !== null && typeof logged === 'object' && !Array.isArray(logged),
      `${path}: an object on the wire`,
    ).toBe(true);
    const record = logged as Record<string, unknown>;
    const wireKeys = Object.keys(wire);
    const loggedKeys = Object.keys(record);
    if (keyOrder) expect(loggedKeys, `${path}: keys in the wire's order`).toEqual(wireKeys);
    else expect([...loggedKeys].sort(), `${path}: keys`).toEqual([...wireKeys].sort());
    for (const key of wireKeys)
      walk(record[key], (wire as Record<string, unknown>)[key], `${path}.${key}`, keyOrder, secrets);
    return;
  }
  expect(logged, path).toStrictEqual(wire); // numbers, booleans, null: exactly
}

/** `logged` is `wire` with planted secrets replaced by placeholders; the text around them is the wire's. */
function expectSameAroundPlaceholders(logged: string, wire: string, path: string, secrets: readonly string[]): void {
  if (logged === wire) return;
  const literal = logged.split(PLACEHOLDER);
  expect(
    literal.length,
    `${path}: differs from the wire with no placeholder: ${JSON.stringify(logged).slice(0, 200)}`,
  ).toBeGreaterThan(1);
  const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const replaced = new RegExp(`^${literal.map(escapeRegex).join('([\\s\\S]+?)')}$`).exec(wire);
  expect(replaced, `${path}: outside its placeholders the logged text is not the wire's`).not.toBeNull();
  for (const span of replaced!.slice(1)) {
    expect(
      secrets.some((secret) => span.includes(secret)),
      `${path}: a placeholder over ${JSON.stringify(span.slice(0, 60))}, not a planted secret`,
    ).toBe(true);
  }
}
