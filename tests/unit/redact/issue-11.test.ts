/**
 * Issue 11, "Why": the shapes a new user saw land on disk in clear. Each is planted as an agent
 * would show it to the model, and none may survive redaction. Secrets are random each run.
 */
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/policy/redact/index.js';

const redactor = createRedactor({ key: Buffer.alloc(32, 5) });
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64 = `${ALNUM}+/`;
const pick = (n: number, alphabet: string): string =>
  Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const hex = (n: number): string => randomBytes(n / 2).toString('hex');

const awsId = `AKIA${pick(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
const awsSecret = pick(40, B64);
const accountKey = randomBytes(64).toString('base64');
const privateKeyId = hex(40);
const twilio = `SK${hex(32)}`;
const ddKey = hex(32);
const databricks = `dapi${hex(32)}`;
const discordId = String(randomInt(100_000_000_000, 999_999_999_999)) + String(randomInt(100_000, 999_999)); // 18 digits
const discord = `${Buffer.from(discordId).toString('base64url')}.${pick(6, ALNUM)}.${pick(27, `${ALNUM}_-`)}`;
const argvSecret = pick(32, ALNUM);
const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const pemBody = pem.split('\n')[1] as string;

const serviceAccount = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'acme-prod',
    private_key_id: privateKeyId,
    private_key: pem,
    client_email: 'agent@acme-prod.iam.gserviceaccount.com',
    client_id: `103${String(randomInt(1e9, 9e9))}5521`,
  },
  null,
  2,
);

const cases: [string, string, string[]][] = [
  [
    'aws credentials file',
    `[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${awsSecret}\n`,
    [awsId, awsSecret],
  ],
  [
    'storage connection string',
    `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey=${accountKey};EndpointSuffix=core.windows.net"`,
    [accountKey],
  ],
  ['service-account JSON', serviceAccount, [privateKeyId, pemBody]],
  ['Twilio key in an env file', `TWILIO_KEY_SID=${twilio}\n`, [twilio]],
  ['Datadog key as DD_API_KEY', `DD_API_KEY=${ddKey}\nDD_SITE=datadoghq.eu`, [ddKey]],
  ['Datadog key as --dd-api-key=', `datadog-agent run --dd-api-key=${ddKey} --verbose`, [ddKey]],
  ['Datadog key as --dd-api-key <value>', `datadog-ci upload --dd-api-key ${ddKey} ./junit.xml`, [ddKey]],
  [
    'Databricks token in a URL path',
    `GET https://adb-42.azuredatabricks.net/api/2.0/${databricks}/clusters/list`,
    [databricks],
  ],
  ['Discord bot token, bare', `client.login("${discord}")`, [discord]],
];

describe('issue 11: none of the reported shapes reaches the log', () => {
  it.each(cases)('%s, as text', (_name, text, secrets) => {
    const out = redactor.text(text);
    for (const s of secrets) expect(out).not.toContain(s);
  });

  it.each(cases)('%s, inside a tool result (JSON-escaped on disk)', (_name, text, secrets) => {
    const body = {
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: text }] }],
    };
    const onDisk = JSON.stringify(redactor.value(body));
    for (const s of secrets) expect(onDisk).not.toContain(s);
  });

  it('a custom header `x-creds: <id>:<secret>` and one whose name is on no list', () => {
    const out = redactor.headers({ 'x-creds': `${awsId}:${awsSecret}`, 'x-upstream': `${awsId}:${awsSecret}` });
    expect(JSON.stringify(out)).not.toContain(awsSecret);
    expect(JSON.stringify(out)).not.toContain(awsId);
  });

  it("a bare secret after a flag in the agent's argv (session.start)", () => {
    const out = redactor.value({ argv: ['node', 'agent.mjs', '--api-token', argvSecret, '--verbose'] });
    expect(JSON.stringify(out)).not.toContain(argvSecret);
    expect(out.argv.slice(0, 3)).toEqual(['node', 'agent.mjs', '--api-token']);
  });
});

describe('a token between slashes (URL path, an API error quoting the path)', () => {
  // azure-ad-client-secret: gitleaks's own boundaries admit no `/` (scripts/gitleaks-rules.mjs widens them).
  const azure = `${pick(3, ALNUM)}${randomInt(10)}Q~${pick(34, ALNUM)}`;
  it.each([
    ['a URL path', `https://login.example.com/tenant/${azure}/token`],
    ['an error quoting the path', `{"error":{"message":"no route for /v1/secrets/${azure}/items"}}`],
  ])('in %s', (_where, text) => {
    expect(redactor.text(text)).not.toContain(azure);
  });
});
