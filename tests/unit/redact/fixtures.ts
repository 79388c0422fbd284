/**
 * Test material for the redaction tests. Every fake secret is assembled at runtime from parts
 * (and seeded random characters), so this repository contains no literal a scanner or GitHub
 * push protection would flag.
 */
import { generateKeyPairSync } from 'node:crypto';

/** Small seeded PRNG (mulberry32): reproducible "random" secrets and blobs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = `${ALNUM}+/`;
const DIGITS = '0123456789';

export function randomChars(rand: () => number, n: number, alphabet = ALNUM): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

export interface SecretCase {
  /** Placeholder type we expect. */
  type: string;
  /** The secret itself: must not appear anywhere in the output. */
  secret: string;
  /** How it appears in text (the secret plus whatever context the rule needs). */
  inText: string;
  /** Single line, no spaces: can sit in a URL query value or a header value as-is. */
  urlSafe: boolean;
}

/** One fresh fake secret of every kind; `seed` makes different-but-reproducible values. */
export function secretCases(seed = 1): Record<string, SecretCase> {
  const r = prng(seed);
  const c = (n: number, alphabet = ALNUM): string => randomChars(r, n, alphabet);
  const plain = (type: string, secret: string): SecretCase => ({ type, secret, inText: secret, urlSafe: true });

  const awsSecret = c(40, B64);
  const bearer = `${c(20)}.${c(24)}`;
  const basicPw = `Pw${c(14)}`;
  const keyedValue = `${c(24)}!${c(4, DIGITS)}`;
  return {
    awsAccessKey: plain('aws-access-key', `AKIA${c(16, UPPER_DIGITS)}`),
    awsDocsExampleKey: plain('aws-access-key', 'AKIA' + 'IOSFODNN7EXAMPLE'),
    awsSessionKey: plain('aws-access-key', `ASIA${c(16, UPPER_DIGITS)}`),
    awsSecretKey: {
      type: 'aws-secret-key',
      secret: awsSecret,
      inText: `aws_secret_access_key = ${awsSecret}`,
      urlSafe: false,
    },
    githubClassic: plain('github-token', `ghp_${c(36)}`),
    githubOAuth: plain('github-token', `gho_${c(36)}`),
    githubServer: plain('github-token', `ghs_${c(36)}`),
    githubFineGrained: plain('github-token', `github_pat_${c(22)}_${c(59)}`),
    anthropic: plain('anthropic-api-key', `sk-ant-api03-${c(93)}AA`),
    anthropicOtherShape: plain('anthropic-api-key', `sk-ant-admin01-${c(60)}`),
    openaiProject: plain('openai-api-key', `sk-proj-${c(74)}T3BlbkFJ${c(74)}`),
    openaiProjectNoMarker: plain('openai-api-key', `sk-proj-${c(40)}_${c(40)}`),
    openaiLegacy: plain('openai-api-key', `sk-${c(20)}7${c(27)}`),
    jwt: plain('jwt', `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.${c(43)}`),
    google: plain('google-api-key', `AIzaSy${c(33)}`),
    stripeLive: plain('stripe-key', `sk_live_${c(24)}`),
    stripeTest: plain('stripe-key', `sk_test_${c(24)}`),
    stripeRestricted: plain('stripe-key', `rk_live_${c(24)}`),
    slackBot: plain('slack-token', `xoxb-${c(12, DIGITS)}-${c(13, DIGITS)}-${c(24)}`),
    slackUser: plain('slack-token', `xoxp-${c(12, DIGITS)}-${c(12, DIGITS)}-${c(12, DIGITS)}-${c(32)}`),
    bearer: { type: 'bearer-token', secret: bearer, inText: `Authorization: Bearer ${bearer}`, urlSafe: false },
    basicAuthUrl: {
      type: 'basic-auth',
      secret: basicPw,
      inText: `https://deploy:${basicPw}@git.internal.example/repo.git`,
      urlSafe: false,
    },
    keyedPassword: {
      type: 'high-entropy',
      secret: keyedValue,
      inText: `DB_PASSWORD=${keyedValue}`,
      urlSafe: false,
    },
  };
}

// Real keys, generated per run (no literal PEM in the repo).
let pemCache: Record<string, string> | undefined;
export function privateKeys(): Record<string, string> {
  if (pemCache) return pemCache;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ed = generateKeyPairSync('ed25519');
  pemCache = {
    rsaPkcs1: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    rsaPkcs8: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ecSec1: ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    ed25519: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    encrypted: rsa.privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' })
      .toString(),
  };
  return pemCache;
}

/** The base64 body of a PEM block (what must not survive). */
export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----'))
    .join('\n');
}

/** An Anthropic Messages API request body with `secret` planted where `where` says. */
export function agentRequest(plant: {
  prompt?: string;
  toolResult?: string;
  toolInput?: string;
}): Record<string, unknown> {
  return {
    model: 'claude-sonnet-5-5',
    max_tokens: 4096,
    system: [{ type: 'text', text: 'You are a coding agent. Use the tools to inspect and edit the repository.' }],
    tools: [
      {
        name: 'bash',
        description: 'Run a shell command in the repository and return its output.',
        input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
      },
    ],
    messages: [
      {
        role: 'user',
        content: [{ type: 'text', text: `Please deploy the service. ${plant.prompt ?? ''}` }],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look at the deployment configuration first.' },
          {
            type: 'tool_use',
            id: 'toolu_01A09q90qw90lq917835lq9',
            name: 'bash',
            input: { command: 'cat deploy/config.env && ./deploy.sh', env: { NOTE: plant.toolInput ?? 'none' } },
          },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01A09q90qw90lq917835lq9',
            content: [{ type: 'text', text: `REGION=eu-west-1\n${plant.toolResult ?? ''}\nDeployed in 41s.` }],
          },
        ],
      },
    ],
  };
}

/** Realistic content with no secrets in it: redaction must leave it byte-identical. */
export function benignSamples() {
  const r = prng(99);
  const hex = (n: number): string => randomChars(r, n, '0123456789abcdef');
  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const png = Buffer.from(Array.from({ length: 24_000 }, () => Math.floor(r() * 256))).toString('base64');

  const typescript = `import { createHash, randomUUID } from "node:crypto";
import type { Request, Response } from "express";

export interface Credentials {
  token: string;
  apiKey?: string;
  password: string;
}

const apiKey = process.env.ANTHROPIC_API_KEY;
const token = process.env.GITHUB_TOKEN ?? "";
const password: string = config.database.password;
const secretName = "prod/db/credentials";
const clientSecret = options.clientSecret;
const accessToken = await oauth.getAccessToken();
const tokenizer = "cl100k_base";
const request = { model: "claude-sonnet-5-5", max_tokens: 4096, temperature: 0 };

export async function fetchWithAuth(url: string, token: string): Promise<Response> {
  const headers = { Authorization: \`Bearer \${token}\`, "Content-Type": "application/json" };
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(\`request failed: \${res.status} \${res.statusText}\`);
  return res;
}

export function digest(data: Buffer): string {
  // sha256 keeps the cache key short; collisions are not a concern here.
  return createHash("sha256").update(data).digest("hex");
}

const schema = z.object({ password: z.string().min(12), token: z.string().uuid() });
export const id = randomUUID();
`;

  const gitLog = `${[0, 1, 2, 3]
    .map(
      (i) => `commit ${hex(40)}
Author: Jane Developer <jane@example.com>
Date:   Mon Mar ${10 + i} 14:0${i}:12 2025 +0100

    fix(auth): refresh the token before it expires (#${120 + i})
`,
    )
    .join('\n')}\n${hex(7)} chore: bump deps\n${hex(7)} feat: add secret rotation docs\n`;

  const ids = `request-id: req_011CSHoEeqs5C35K2UUqR7Fy
message: msg_01XFDUDYJgAACzvnptvVoYEL tool: toolu_01A09q90qw90lq917835lq9
trace ${uuid()} span ${uuid()}
session=${uuid()} user_id=${uuid()}
`;

  const hashes = `FROM node:20-alpine@sha256:${hex(64)}
"integrity": "sha512-${Buffer.from(hex(64), 'hex').toString('base64')}${Buffer.from(hex(64), 'hex').toString('base64')}",
image: ghcr.io/acme/api@sha256:${hex(64)}
checksum sha256:${hex(64)}  agenttap-0.1.0.tgz
`;

  const paths = `/home/jane/src/agenttap/src/policy/redact/index.ts:42:7
~/.config/agenttap/key
./node_modules/@secretlint/core/module/index.js
C:\\Users\\jane\\AppData\\Roaming\\npm\\node_modules\\agenttap\\bin\\agenttap.js
    at Object.<anonymous> (/home/jane/src/agenttap/tests/unit/redact/redact.test.ts:12:3)
`;

  const prose = `Rotate the API token before the secret expires, and never commit a password.
The bearer of this note should ask for the token-based authentication docs.
Set OPENAI_API_KEY=your-api-key-here in .env, or export DATABASE_URL=postgres://user:password@localhost:5432/app.
See https://docs.anthropic.com/en/api/messages?lang=typescript#streaming and https://example.com/search?q=redaction&page=2.
The access token is short-lived; the refresh token lasts 30 days. max_tokens: 8192, input_tokens=1532.
`;

  return {
    typescript,
    gitLog,
    ids,
    hashes,
    paths,
    prose,
    dataUrl: `data:image/png;base64,${png}`,
  };
}
