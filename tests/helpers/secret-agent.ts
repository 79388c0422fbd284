/**
 * The secrets test's agent and what it plants (tests/fixtures/apps/secret-agent.mjs): an API key, an AWS key pair,
 * a GitHub token, a JWT and a private key in headers, the prompt and a tool result, and a Stripe key in the model's
 * answer. One place for the planted set, the mock's script and the probes every secrets test scans output for.
 */
import type { Turn } from '../../src/mock/index.js';
import { pemBody, privateKeys, secretCases } from '../unit/redact/fixtures.js';

export type PlantedSecrets = Record<
  'anthropic' | 'github' | 'awsAccessKey' | 'awsSecret' | 'jwt' | 'stripe' | 'pem',
  string
>;

/** The secrets, generated from `seed` (each test its own, so no test passes on another's leftovers). */
export function plantedSecrets(seed: number): PlantedSecrets {
  const cases = secretCases(seed);
  return {
    anthropic: cases.anthropic!.secret,
    github: cases.githubClassic!.secret,
    awsAccessKey: cases.awsAccessKey!.secret,
    awsSecret: cases.awsSecretKey!.secret,
    jwt: cases.jwt!.secret,
    stripe: cases.stripeLive!.secret,
    pem: privateKeys().rsaPkcs8!,
  };
}

/** The mock's script: the agent reads its credentials file, then the model's answer quotes the Stripe key. */
export function secretAgentScript(secrets: PlantedSecrets): Turn[] {
  return [
    { toolUse: { name: 'read_file', input: { path: 'credentials.txt' } } },
    { text: `The file also mentions ${secrets.stripe}.` },
  ];
}

/** What to look for: each secret (the PEM key by its body lines), raw, JSON-escaped and base64. */
export function secretProbes(secrets: PlantedSecrets): { name: string; x: string }[] {
  return Object.entries(secrets).flatMap(([name, value]) =>
    (name === 'pem'
      ? pemBody(value)
          .split('\n')
          .filter((l) => l.length > 20)
      : [value]
    ).flatMap((p) => [p, JSON.stringify(p).slice(1, -1), Buffer.from(p).toString('base64')].map((x) => ({ name, x }))),
  );
}
