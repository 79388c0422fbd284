/** The wire oracle itself: it must see what the old redact-both-sides / sorted-keys comparisons could not. */
import { describe, expect, it } from 'vitest';
import { expectLoggedAsWire } from '../../helpers/wire-oracle.js';

const SECRET = `ghp_${'a1B2'.repeat(9)}`;
const wire = { model: 'm', messages: [{ role: 'user', content: `token ${SECRET} here` }], n: 1.5 };
const fails = (fn: () => void) => expect(fn).toThrow();

describe('expectLoggedAsWire', () => {
  it('accepts the wire value, and a placeholder standing exactly over a planted secret', () => {
    expectLoggedAsWire(structuredClone(wire), wire);
    expectLoggedAsWire(
      { ...wire, messages: [{ role: 'user', content: 'token [REDACTED:github-token:0a1b2c3d] here' }] },
      wire,
      { secrets: [SECRET] },
    );
  });

  it('rejects a planted secret left in, text changed around a placeholder, and a placeholder over a non-secret', () => {
    fails(() => expectLoggedAsWire(wire, wire, { secrets: [SECRET] }));
    fails(() =>
      expectLoggedAsWire(
        { ...wire, messages: [{ role: 'user', content: 'Token [REDACTED:github-token:0a1b2c3d] here' }] },
        wire,
        { secrets: [SECRET] },
      ),
    );
    fails(() =>
      expectLoggedAsWire({ ...wire, model: '[REDACTED:high-entropy:0a1b2c3d]' }, wire, { secrets: [SECRET] }),
    );
  });

  it("rejects keys out of the wire order unless told order is not the wire's, and any changed value", () => {
    const reordered = { messages: wire.messages, model: 'm', n: 1.5 };
    fails(() => expectLoggedAsWire(reordered, { ...wire, messages: [{ role: 'user', content: 'x' }] }));
    fails(() =>
      expectLoggedAsWire(
        { model: 'm', n: 1.5, messages: [{ role: 'user', content: 'x' }] },
        { model: 'm', messages: [{ role: 'user', content: 'x' }], n: 1.5 },
      ),
    );
    expectLoggedAsWire({ n: 1.5, model: 'm' }, { model: 'm', n: 1.5 }, { keyOrder: false });
    fails(() => expectLoggedAsWire({ model: 'm', n: 1 }, { model: 'm', n: 1.5 }));
    fails(() => expectLoggedAsWire({ model: 'm' }, { model: 'm', n: 1.5 }));
    fails(() => expectLoggedAsWire({ model: 'm', n: 1.5, extra: true }, { model: 'm', n: 1.5 }));
  });
});
