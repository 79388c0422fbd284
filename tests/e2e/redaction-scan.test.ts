/**
 * Issue 11, acceptance: no planted secret on disk, anywhere agenttap writes. A real SDK agent (Anthropic and OpenAI
 * clients) shows its model the recall corpus (one random well-formed secret per gitleaks rule), the shapes of the
 * issue's "Why" list, a service-account JSON, a storage connection string and a PEM key — in the prompt, in a tool
 * result (as read and JSON-escaped), in custom headers (`x-creds: <id>:<secret>`, and one holding many as text), in
 * its API keys, in the query string, in a base URL's path, in its argv and cwd — and the mock echoes them back (a
 * reply and a tool call streamed in small deltas, an error body quoting a refused key, a 404 quoting the path). Run under the loader and through `agenttap proxy`, then every file written
 * under the log folder, the key's folder and the report outputs (HTML, Markdown, JSON, exported prompts), and
 * agenttap's own stderr and terminal report, are scanned for every secret: raw, JSON-escaped, URL-encoded, base64,
 * inside gzip. The precision corpus, sent the same way, must arrive in the log unchanged (tool_use still paired).
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/log/events.js';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { GITLEAKS } from '../../src/policy/redact/rules/gitleaks/rules.js';
import { AGENTTAP_BIN } from '../helpers/claude-code.js';
import { ROOT, eventsOf, scratch, sessionEvents, spawnBounded, type Spawned } from '../helpers/run.js';
import type { Finding } from '../../src/policy/redact/finding.js';
import { gitleaksRule } from '../../src/policy/redact/gitleaks.js';
import { recallCorpus, type Planted } from '../unit/redact/corpus.js';
import { benignSamples, pemBody, privateKeys, secretCases, prng, randomChars, ALNUM } from '../unit/redact/fixtures.js';
import { testSeed } from '../helpers/seed.js';

const AGENT = join(ROOT, 'tests', 'fixtures', 'apps', 'secret-scan-agent.mjs');
const seed = testSeed();
const rand = prng(seed);
const chars = (n: number, alphabet = ALNUM): string => randomChars(rand, n, alphabet);
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;

/** A secret to look for on disk, and whether it travelled in a request (argv and cwd do not). */
interface Secret {
  name: string;
  value: string;
  onWire: boolean;
}
const secrets: Secret[] = [];
const plant = (name: string, value: string, onWire = true): string => {
  secrets.push({ name, value, onWire });
  return value;
};

// The recall corpus: `sample` is what an agent shows (key name and all), `secret` what must not survive.
const { planted } = recallCorpus(seed);
for (const p of planted) plant(`gitleaks:${p.rule}`, p.secret);
// The hand-written cases (the AWS documentation's example key is allowlisted: not a secret).
const cases = Object.entries(secretCases(seed)).filter(([name]) => name !== 'awsDocsExampleKey');
for (const [name, c] of cases) plant(name, c.secret);
const pem = privateKeys().rsaPkcs8!;
const pemLines = pemBody(pem)
  .split('\n')
  .filter((line) => line.length >= 40);
for (const [i, line] of pemLines.entries()) plant(`pem line ${i}`, line);

// Issue 11, "Why": each shape as a new user's agent showed it.
const awsId = plant('aws id', `AKIA${chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`);
const awsSecret = plant('aws secret', chars(40, B64));
const accountKey = plant('AccountKey', Buffer.from(chars(64)).toString('base64'));
const privateKeyId = plant('private_key_id', chars(40, HEX));
const twilio = plant('twilio', `SK${chars(32, HEX)}`);
const ddKey = plant('datadog', chars(32, HEX));
const databricks = plant('databricks', `dapi${chars(32, HEX)}`);
const discord = plant(
  'discord',
  `${Buffer.from(`1${chars(17, '0123456789')}`).toString('base64url')}.${chars(6)}.${chars(27, `${ALNUM}_-`)}`,
);
const credsSecret = plant('x-creds secret', chars(40, B64));
const serviceAccount = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'acme-prod',
    private_key_id: privateKeyId,
    private_key: pem,
    client_email: 'agent@acme-prod.iam.gserviceaccount.com',
    token_uri: 'https://oauth2.googleapis.com/token',
  },
  null,
  2,
);
const why = [
  `[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${awsSecret}\n`,
  `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey=${accountKey};EndpointSuffix=core.windows.net"`,
  serviceAccount,
  `TWILIO_KEY_SID=${twilio}`,
  `DD_API_KEY=${ddKey}\nDD_SITE=datadoghq.eu`,
  `datadog-agent run --dd-api-key=${ddKey} --verbose`,
  `GET https://adb-42.azuredatabricks.net/api/2.0/${databricks}/clusters/list`,
  `client.login("${discord}")`,
].join('\n');

// Keys the agent authenticates with, and one the API refuses (and quotes back).
const anthropicKey = plant('anthropic api key', `sk-ant-api03-${chars(93)}AA`);
const openaiKey = plant('openai api key', `sk-proj-${chars(74)}T3BlbkFJ${chars(74)}`);
const refusedKey = plant('refused key', `sk-ant-api03-${chars(93)}AA`);

// argv and cwd (recorded in session.start; never sent to the model).
const argvSecret = plant('argv --api-token', chars(32), false);
const argvPassword = plant('argv url password', `Pw${chars(16)}`, false);
const argvToken = plant('argv github token', `ghp_${chars(36)}`, false);
const argvDd = plant('argv --dd-api-key=', chars(32, HEX), false);
const argv = [
  '--api-token',
  argvSecret,
  `--dd-api-key=${argvDd}`,
  '--db',
  `postgres://app:${argvPassword}@db.internal:5432/prod`,
  argvToken,
];
const toolInputSecret = plant('tool_use input', `gho_${chars(36)}`);
const cwdToken = plant('cwd github token', `ghp_${chars(36)}`, false);
// The proxy's upstream with a password in it (sent upstream as Basic auth, recorded in the proxy's argv).
const upstreamPassword = plant('proxy upstream password', `Up${chars(20)}`, false);

const singleLine = (s: string): boolean => !/[\r\n]/.test(s);
const prompt = [
  'Deploy the service with these credentials:',
  ...planted.map((p) => `The deploy used ${p.sample} yesterday.`),
  ...cases.map(([, c]) => c.inText),
  why,
].join('\n');
const envFile = [
  ...planted.map((p, i) => (singleLine(p.sample) ? `SERVICE_CREDENTIAL_${i}=${p.sample}` : p.sample)),
  ...cases.map(([, c]) => c.inText),
  why,
  pem,
].join('\n');
// The file as read, then inside a JSON config (every newline and quote escaped).
const toolResult = `${envFile}\nconfig.json: ${JSON.stringify({ env: envFile, serviceAccount })}`;
// Tokens a rule knows by their shape alone, between slashes (a gateway routing by token), after the issue's
// Databricks one. Not a token whose rule wants a quote, space or `=` before it (azure-ad-client-secret, as upstream):
// the URL fields scan each segment on its own (secrets-url.test.ts), but the 404 quotes the path as free text.
const knownBetweenSlashes = (p: Planted): boolean => {
  const rule = GITLEAKS.rules.find((r) => r.id === p.rule)!;
  const found: Finding[] = [];
  gitleaksRule({ ...GITLEAKS, rules: [rule] }).scan(`/v1/${p.secret}/x`, found);
  return found.some((f) => f.start === 4 && f.end === 4 + p.secret.length);
};
const pathSegments = [
  databricks,
  ...planted.filter((p) => /^[\w.~-]+$/.test(p.secret) && knownBetweenSlashes(p)).map((p) => p.secret),
]
  .join('/')
  .slice(0, 6000)
  .replace(/\/[^/]*$/, '');

// A custom header no list names, holding many of them as text; and the query string (`?key=…&sig=…`).
const debugHeader = planted
  .filter((p) => /^[\x20-\x7e]+$/.test(p.sample))
  .map((p) => p.sample)
  .join(' ')
  .slice(0, 6000)
  .replace(/ [^ ]*$/, '');
const query = {
  key: plant('query key', `AIzaSy${chars(33)}`),
  sig: plant('query sig', chars(43)),
  page: '2',
};

// The precision corpus, with every gitleaks rule's keywords in the same text so every rule runs on it.
const benign = benignSamples();
const allKeywords = [...new Set(GITLEAKS.rules.flatMap((r) => r.keywords))].join(' ');
const benignPrompt = `PRECISION ${benign.prose}\n${benign.ids}`;
const benignToolResult = `${allKeywords}\n${Object.values(benign).join('\n')}`;

/** The tool result's text in the last user message, for the mock's echo. */
function lastToolResult(body: Record<string, unknown> | undefined): string {
  const messages = (body?.messages ?? []) as { role: string; content: unknown }[];
  const last = messages.at(-1)?.content;
  const block = Array.isArray(last)
    ? (last as { type: string; content?: unknown }[]).find((b) => b.type === 'tool_result')
    : undefined;
  return typeof block?.content === 'string' ? block.content : 'no tool result';
}

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    // Small deltas (~100 characters): many secrets of the echo arrive split across two events.
    textChunks: 400,
    script: (req) => {
      if (req.api !== 'anthropic') return { text: `You said: ${req.lastUserText}` };
      // The model's own tool call carries a secret too (streamed as partial JSON, then resent in the next request).
      const precision = req.lastUserText.startsWith('PRECISION');
      if (req.turnIndex === 0)
        return {
          toolUse: {
            name: 'read_file',
            input: { path: '.env', ...(precision ? {} : { why: `check ${toolInputSecret} is still valid` }) },
          },
        };
      return { text: `The file says:\n${lastToolResult(req.body)}` };
    },
    faults: [
      {
        kind: 'status',
        status: 401,
        when: (req) => req.headers['x-scenario'] === 'refused-key',
        body: { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key: ${refusedKey}` } },
      },
    ],
  });
});
afterAll(() => mock.close());

interface Route {
  /** Folders agenttap writes to: the log folder, the key's folder. */
  logDir: string;
  keyFile: string;
  sessionDir: string;
  reportDir: string;
  /** agenttap's own voice: the agent's stderr under the loader, the proxy's stderr, the terminal report. */
  voices: Record<string, string>;
  agentStdout: string;
}

function places(prefix: string) {
  const root = scratch(`agenttap-scan-${prefix}-`);
  const cwd = join(root, cwdToken);
  mkdirSync(cwd);
  const plantFile = join(root, 'plant.json');
  writeFileSync(
    plantFile,
    JSON.stringify({
      anthropicKey,
      openaiKey,
      refusedKey,
      credsHeader: `${awsId}:${credsSecret}`,
      debugHeader,
      query,
      prompt,
      toolResult,
      pathSegments,
      benignPrompt,
      benignToolResult,
    }),
  );
  chmodSync(plantFile, 0o600);
  // Neither folder exists yet: agenttap makes both (and their modes are its own).
  return {
    root,
    cwd,
    plantFile,
    logDir: join(root, 'logs'),
    keyFile: join(root, 'keys', 'key'),
    reportDir: join(root, 'report'),
  };
}

const baseEnv = (p: ReturnType<typeof places>, session: string) => ({
  PATH: process.env.PATH,
  HOME: p.root,
  AGENTTAP_DIR: p.logDir,
  AGENTTAP_SESSION: session,
  AGENTTAP_KEY_FILE: p.keyFile,
  PLANT: p.plantFile,
});

async function report(sessionDir: string, reportDir: string): Promise<Spawned> {
  mkdirSync(reportDir);
  const out = (f: string) => join(reportDir, f);
  const run = await spawnBounded(
    process.execPath,
    [
      AGENTTAP_BIN,
      'report',
      sessionDir,
      '--html',
      out('r.html'),
      '--md',
      out('r.md'),
      '--json',
      out('r.json'),
      '--export-prompts',
      out('prompts'),
      '--no-progress',
    ],
    { env: { PATH: process.env.PATH }, timeoutMs: 60_000 },
  );
  expect(run.code, run.stderr).toBe(0);
  return run;
}

async function underLoader(): Promise<Route> {
  const p = places('loader');
  const run = await spawnBounded(process.execPath, ['--import', join(ROOT, 'loader'), AGENT, ...argv], {
    cwd: p.cwd,
    env: { ...baseEnv(p, 'loader'), ANTHROPIC_BASE_URL: mock.url, OPENAI_BASE_URL: `${mock.url}/v1` },
    timeoutMs: 60_000,
  });
  expect(run.code, run.stderr).toBe(0);
  const sessionDir = join(p.logDir, 'loader');
  const rep = await report(sessionDir, p.reportDir);
  return {
    ...p,
    sessionDir,
    voices: { 'agent stderr': run.stderr, 'report stdout': rep.stdout, 'report stderr': rep.stderr },
    agentStdout: run.stdout,
  };
}

async function throughProxy(): Promise<Route> {
  const p = places('proxy');
  const upstream = mock.url.replace('://', `://gateway:${upstreamPassword}@`);
  const run = await spawnBounded(
    process.execPath,
    [AGENTTAP_BIN, 'proxy', '--upstream', upstream, '--exec', '--', process.execPath, AGENT, ...argv],
    {
      cwd: p.cwd,
      env: baseEnv(p, 'proxy'),
      timeoutMs: 60_000,
    },
  );
  expect(run.code, run.stderr).toBe(0);
  const sessionDir = join(p.logDir, 'proxy');
  const rep = await report(sessionDir, p.reportDir);
  return {
    ...p,
    sessionDir,
    voices: { 'proxy stderr': run.stderr, 'report stdout': rep.stdout, 'report stderr': rep.stderr },
    agentStdout: run.stdout,
  };
}

/** Every file under `dirs`, as text (gzip files also gunzipped). */
function filesUnder(dirs: string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of dirs) {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const bytes = readFileSync(path);
      files.set(path, bytes.toString('latin1'));
      if (bytes[0] === 0x1f && bytes[1] === 0x8b)
        files.set(`${path} (gunzipped)`, gunzipSync(bytes).toString('latin1'));
    }
  }
  return files;
}

/** The forms a secret can take on disk. */
function probes(value: string): [string, string][] {
  return [
    ['raw', value],
    ['JSON-escaped', JSON.stringify(value).slice(1, -1)],
    ['URL-encoded', encodeURIComponent(value)],
    ['base64', Buffer.from(value).toString('base64')],
  ];
}

/** `where: secret (form)` for every planted secret found in any of `texts`. */
function leaks(texts: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of texts) {
    for (const s of secrets) {
      for (const [form, probe] of probes(s.value))
        if (text.includes(probe)) found.push(`${where}: ${s.name} (${form})`);
    }
  }
  return found;
}

/** Files 0600 and folders 0700 under each folder (and the folder itself, when agenttap made it). */
function looseModes(dirs: [string, 'made' | 'given'][]): string[] {
  const loose: string[] = [];
  for (const [dir, made] of dirs) {
    const check = (path: string, want: number) => {
      const mode = statSync(path).mode & 0o777;
      if (mode !== want) loose.push(`${path}: ${mode.toString(8)}`);
    };
    if (made === 'made') check(dir, 0o700);
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      check(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o700 : 0o600);
    }
  }
  return loose;
}

function checkRoute(route: Route, events: LogEvent[]): void {
  // The run did what it should: the echo, the OpenAI stream, the refused key, the routed path, the plain conversation.
  const outcome = JSON.parse(route.agentStdout) as Record<string, unknown>;
  expect(outcome).toMatchObject({ refused: '401', routed: '404' });
  expect(outcome.echoed as number).toBeGreaterThan(toolResult.length);
  expect(outcome.chat as number).toBeGreaterThan(prompt.length);

  // Every secret really travelled (else its absence on disk would prove nothing).
  const wire = mock.received
    .map((r) => r.path + r.search + JSON.stringify(r.headers) + r.rawBody.toString())
    .join('\n');
  const missing = secrets.filter(
    (s) =>
      s.onWire &&
      !probes(s.value)
        .slice(0, 2)
        .some(([, probe]) => wire.includes(probe)),
  );
  expect(missing.map((s) => s.name)).toEqual([]);
  // ... and so did the echoes: the refused key in the 401 body, the path in the 404 body.
  const ends = eventsOf(events, 'exchange.end');
  expect(
    ends.filter((e) => e.api_error).length,
    JSON.stringify(ends.map((e) => [e.outcome, e['http.response.status_code'], Object.keys(e).join(',')])),
  ).toBe(2);

  const files = filesUnder([route.logDir, join(route.keyFile, '..'), route.reportDir]);
  expect([...files.keys()].some((f) => f.endsWith('.ndjson'))).toBe(true);
  expect([...files.keys()].some((f) => f.includes('prompts'))).toBe(true);
  const texts = new Map([...files, ...Object.entries(route.voices)]);
  expect(leaks(texts), `seed ${seed}`).toEqual([]);

  // Log and key files 0600 in 0700 folders (report files too).
  expect(
    looseModes([
      [route.logDir, 'made'],
      [join(route.keyFile, '..'), 'made'],
      [route.reportDir, 'given'],
    ]),
  ).toEqual([]);

  // Precision: the plain conversation reached the log unchanged, tool_use still paired with its tool_result.
  const requests = eventsOf(events, 'exchange.request').filter((r) => JSON.stringify(r.body).includes('PRECISION'));
  const last = requests.at(-1)!.body as {
    messages: { role: string; content: { type: string; id?: string; tool_use_id?: string; content?: string }[] }[];
  };
  expect(JSON.stringify(last)).not.toContain('[REDACTED');
  expect(last.messages).toHaveLength(3);
  const toolUse = last.messages[1]!.content.find((b) => b.type === 'tool_use')!;
  const toolResultBlock = last.messages[2]!.content.find((b) => b.type === 'tool_result')!;
  expect(toolResultBlock.tool_use_id).toBe(toolUse.id);
  expect(toolResultBlock.content).toBe(benignToolResult);
  const answer = eventsOf(events, 'exchange.end').find((e) =>
    JSON.stringify(e.body).includes(benign.dataUrl.slice(0, 200)),
  );
  expect(answer).toBeDefined();
  expect(JSON.stringify(answer!.body)).not.toContain('[REDACTED');
}

describe(`no planted secret on disk (seed ${seed})`, () => {
  it("covers the corpus: at least 100 gitleaks types, the issue's shapes, argv and cwd", () => {
    expect(planted.length).toBeGreaterThanOrEqual(100);
    expect(secrets.length).toBeGreaterThan(planted.length + 30);
    expect(pathSegments.split('/').length).toBeGreaterThan(10);
  });

  it('under the loader', async () => {
    mock.reset();
    const route = await underLoader();
    const events = await sessionEvents(route.sessionDir);
    checkRoute(route, events);
  });

  it('through agenttap proxy', async () => {
    mock.reset();
    const route = await throughProxy();
    const events = await sessionEvents(route.sessionDir);
    checkRoute(route, events);
  });
});
