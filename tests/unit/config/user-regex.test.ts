/**
 * User regexes are compiled and linted before anything runs (issue 16, item 3): what is refused, what is let
 * through, and that a refused pattern really is the slow kind.
 */
import { describe, expect, it } from 'vitest';
import { checkUserRegex } from '../../../src/config/user-regex.js';

// Secret formats users write: none may be refused (a false positive would block a working config).
const SECRET_PATTERNS = [
  'itk_[a-z0-9]{32}',
  'sk-[A-Za-z0-9]{20,}',
  'ghp_[A-Za-z0-9]{36}',
  '(?:foo|bar)_[0-9]+',
  '-----BEGIN [A-Z ]+-----',
  '[a-f0-9]{64}',
  'token=([^&\\s]+)',
  'acme_(live|test)_[A-Za-z0-9]{24}',
  'password:\\s*\\S+',
  '\\bxoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24}\\b',
  '(?<=key=)[A-Z0-9]{20}',
  'internal-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}',
  'eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+',
  '(?:api|secret)[_-]?key["\']?\\s*[:=]\\s*["\']?([A-Za-z0-9]{32,})',
];

describe('checkUserRegex', () => {
  it.each(SECRET_PATTERNS)('lets %s through', (pattern) => {
    expect(checkUserRegex(pattern, '', 'scan')).toBeUndefined();
    expect(checkUserRegex(pattern, 'i', 'test')).toBeUndefined();
  });

  it.each(['(a+)+$', '(\\w+\\s?)+$', '^(\\w+)*@', '(a*)*b', '([a-z]+)*$', '(x+x+)+y', '(.*)*x'])(
    'refuses the exponential %s everywhere',
    (pattern) => {
      for (const use of ['scan', 'test'] as const) {
        const problem = checkUserRegex(pattern, '', use);
        expect(problem?.field).toBe('pattern');
        expect(problem?.message).toMatch(/^can backtrack exponentially: .* Fix: /);
      }
    },
  );

  it('refuses, for a scan over captured text, polynomial backtracking and a leading unbounded repeat', () => {
    expect(checkUserRegex('\\s*\\s*$', '', 'scan')?.message).toMatch(
      /^can backtrack polynomially: "\\s\*" and "\\s\*" can both take a long run of/,
    );
    expect(checkUserRegex('\\w+@corp\\.com', '', 'scan')?.message).toMatch(
      /^starts with the unbounded repeat "\\w\+": .*quadratic.* Fix: start the pattern with a fixed prefix/,
    );
    // A model name is short: the same patterns cost nothing there.
    expect(checkUserRegex('\\w+@corp\\.com', '', 'test')).toBeUndefined();
  });

  it('a refused leading repeat really is quadratic, and the fixed form is not', () => {
    const text = 'a'.repeat(10_000);
    const time = (source: string) => {
      const re = new RegExp(source, 'g');
      const start = performance.now();
      re.exec(text);
      return performance.now() - start;
    };
    const slow = time('\\w+@corp\\.com');
    const fast = time('corp_\\w+@corp\\.com');
    expect(checkUserRegex('corp_\\w+@corp\\.com', '', 'scan')).toBeUndefined();
    expect(slow).toBeGreaterThan(fast * 20);
  });

  it("names a pattern that does not compile, with the engine's reason", () => {
    expect(checkUserRegex('itk_(', '', 'scan')).toEqual({
      field: 'pattern',
      message: expect.stringMatching(
        /^not a valid JavaScript regular expression \(\/itk_\(\/: Unterminated group\)\. Fix: /,
      ),
    });
    expect(checkUserRegex('[z-a]', 'u', 'test')?.field).toBe('pattern');
  });

  it('flags: g is implied in a scan and refused in a test (lastIndex state); y is refused; u and v do not mix', () => {
    expect(checkUserRegex('itk_[a-z]{8}', 'gi', 'scan')).toBeUndefined();
    expect(checkUserRegex('itk_[a-z]{8}', 'y', 'scan')).toEqual({
      field: 'flags',
      message: expect.stringContaining('Fix: remove "y"'),
    });
    expect(checkUserRegex('^claude', 'g', 'test')).toEqual({
      field: 'flags',
      message: expect.stringContaining('every other request'),
    });
    expect(checkUserRegex('^claude', 'uv', 'test')).toEqual({
      field: 'flags',
      message: expect.stringContaining('"u" or "v", not both'),
    });
    expect(checkUserRegex('^claude', 'ii', 'test')?.field).toBe('flags');
    expect(checkUserRegex('^claude', 'x', 'test')).toEqual({
      field: 'flags',
      message: expect.stringMatching(/unknown flag "x"\. Fix: use only "i", "m", "s", "u", "v"/),
    });
  });

  it('reads the pattern with its flags: a repeat that only overlaps case-insensitively is refused with "i" only', () => {
    expect(checkUserRegex('(?:[a-z]+[A-Z]+)+!', '', 'test')).toBeUndefined();
    expect(checkUserRegex('(?:[a-z]+[A-Z]+)+!', 'i', 'test')?.message).toMatch(/exponentially/);
  });
});
