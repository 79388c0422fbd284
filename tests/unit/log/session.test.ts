import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/schema.js';
import { newSessionId, publishSession, resolveSession } from '../../../src/log/session.js';

const config = (over: object = {}) => ConfigSchema.parse(over);

describe('session placement', () => {
  it('starts a new session under the configured dir and publishes it for children', () => {
    const env: NodeJS.ProcessEnv = {};
    const place = resolveSession(config({ dir: 'logs', session: 'abc' }), env, '/work/x')!;
    expect(place).toEqual({ id: 'abc', dir: '/work/x/logs/abc' });
    publishSession(place, env);
    expect(env).toEqual({
      AGENTTAP_SESSION_DIR: '/work/x/logs/abc',
      AGENTTAP_SESSION_ID: 'abc',
      AGENTTAP_PARENT_PID: String(process.pid),
    });
  });

  it('joins the parent session when started by an agenttap process', () => {
    const env = { AGENTTAP_SESSION_DIR: '/s/abc', AGENTTAP_SESSION_ID: 'abc', AGENTTAP_PARENT_PID: '1' };
    expect(resolveSession(config(), env, '/elsewhere')).toEqual({ id: 'abc', dir: '/s/abc', parentPid: 1 });
  });

  it('stays inactive in a child when children are off', () => {
    const env = { AGENTTAP_SESSION_DIR: '/s/abc', AGENTTAP_SESSION_ID: 'abc', AGENTTAP_PARENT_PID: '1' };
    expect(resolveSession(config({ children: 'off' }), env)).toBeNull();
  });

  it('does not mistake its own published session for a parent (re-import in the same process)', () => {
    const env = {
      AGENTTAP_SESSION_DIR: '/s/abc',
      AGENTTAP_SESSION_ID: 'abc',
      AGENTTAP_PARENT_PID: String(process.pid),
    };
    expect(resolveSession(config({ session: 'new' }), env, '/w')).toEqual({
      id: 'new',
      dir: '/w/.agenttap/sessions/new',
    });
  });

  it('makes sortable, unique ids', () => {
    const a = newSessionId(new Date('2026-01-02T03:04:05Z'));
    expect(a).toMatch(/^20260102-030405-[0-9a-f]{6}$/);
    expect(newSessionId()).not.toBe(newSessionId());
  });

  it('stamps the UTC second as toISOString() does, from the UTC fields (cheaper on the start path)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
          expect(newSessionId(d).slice(0, 15)).toBe(iso);
        },
      ),
      { numRuns: 2000, seed: 13 },
    );
  });
});
