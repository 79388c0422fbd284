/** The keyword detector (keyed.ts): secrets by their key name, in every syntax an agent reads. */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/policy/redact/index.js';

const redactor = createRedactor({ key: Buffer.alloc(32, 9) });
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (n: number, alphabet = ALNUM): string =>
  Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
// Random each run; no shape of its own, so only the key name can find it.
const v = `${pick(12)}x9${pick(10)}`;
const pw = `${pick(5)}7#${pick(4)}`; // a short human password

describe('a value found by its key name', () => {
  it.each([
    ['env file', `DB_PASSWORD=${v}`],
    ['exported env', `export GITLAB_TOKEN="${v}"`],
    ['INI', `[auth]\nclient_secret = ${v}\n`],
    ['YAML', `auth:\n  apiKey: ${v}\n`],
    ['JSON', `{"private_key_id": "${v}"}`],
    ['escaped JSON', `{\\"signing_key\\": \\"${v}\\"}`],
    ['TOML', `[service]\nencryption_key = '${v}'`],
    ['header line', `X-Api-Key: ${v}`],
    ['CLI flag with a space', `deploy --access-key ${v} --region eu`],
    ['CLI flag with =', `deploy --master-key=${v}`],
    ['URL query', `https://api.acme.dev/v1?api_key=${v}&page=2`],
    ['ADO.NET connection string', `Server=db;Database=app;User Id=sa;Password=${pw};Encrypt=true`],
    ['ODBC connection string', `Driver={ODBC};Server=db;Uid=sa;Pwd=${pw};`],
    [
      'Service Bus connection string',
      `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${v}=`,
    ],
    ['short password under a password name', `password: "${pw}"`],
  ])('%s', (_name, text) => {
    const out = redactor.text(text);
    expect(out).not.toContain(text.includes(pw) ? pw : v);
    expect(out).toMatch(/\[REDACTED:[a-z0-9-]+:[0-9a-f]{8}\]/);
  });

  it('a short password stored under a password key in a JSON value', () => {
    expect(redactor.value({ db: { password: pw } }).db.password).toMatch(/^\[REDACTED:/);
  });
});

describe('what is not a secret stays', () => {
  it.each([
    ['placeholder changeme', 'DB_PASSWORD=changeme123'],
    ['angle placeholder', 'api_key = <your-api-key-goes-here>'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell placeholder is the sample, not a template
    ['env reference', 'token: ${GITHUB_TOKEN}'],
    ['masked', 'password: xxxxxxxxxxxxxxxx'],
    ['your_…_here', 'SECRET_KEY=your_secret_key_here'],
    ['example key', 'api_key: example-key-1234567890abcdef'],
    ['TypeScript type', '  password: string;\n  token?: string;'],
    ['flag with a file', 'psql --password-file /etc/pgpass --host db'],
    ['flag with a variable', 'gh auth login --with-token "$GITHUB_TOKEN"'],
    ['a field name', 'password: required_field'],
    ['hash column', 'password_hash: $2b$12$' + 'R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW'],
    ['counters', '"usage": {"input_tokens": 1532, "cache_read_input_tokens": 40960, "output_tokens": 211}'],
  ])('%s', (_name, text) => {
    expect(redactor.text(text)).toBe(text);
  });

  it('ids, hashes and images under ordinary keys pair up intact', () => {
    const body = {
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      content: [
        { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'Read', input: { path: 'package-lock.json' } },
        { type: 'thinking', thinking: '…', signature: `EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxWP3kD${pick(40)}` },
      ],
      sha: '9fceb02d0ae598e95dc970b74767f19372d61af8',
      integrity: `sha512-${Buffer.from(pick(64)).toString('base64')}`,
      uuid: '3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f',
      color: '#1e90ff',
    };
    expect(redactor.value(body)).toEqual(body);
  });
});

// The name heuristic (keyed.ts looksLikeName) misses a random key that happens to read like
// camelCase words: measured over 20,000 draws, 0.1% of 20-character and 0.005% of 32-character
// alphanumeric keys. Up to 1% is tolerated here so the test is not flaky; more means a regression.
describe('random keys of every usual alphabet are judged secret', () => {
  const HEX = '0123456789abcdef';
  const B64 = `${ALNUM}+/`;
  it.each([
    ['hex 32', 32, HEX],
    ['hex 40', 40, HEX],
    ['alphanumeric 20', 20, ALNUM],
    ['alphanumeric 32', 32, ALNUM],
    ['base64 40', 40, B64],
  ] as const)('%s (500 draws)', (_name, n, alphabet) => {
    const missed: string[] = [];
    for (let i = 0; i < 500; i++) {
      const key = pick(n, alphabet);
      if (redactor.text(`API_KEY=${key}`).includes(key)) missed.push(key);
    }
    expect(missed.length, missed.join(' ')).toBeLessThanOrEqual(5);
  });
});
