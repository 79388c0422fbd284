/**
 * User signature files: JSON `{ "sets": [SignatureSet, …] }` (see types.ts). Their sets are tried before
 * the shipped ones, so a user can label a mechanism we do not know or correct one we get wrong.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AgentTapError } from '../errors.js';
import type { Condition, SignatureSet } from './types.js';

export { shippedSets } from './shipped.js';

const TextMatch = z.union([
  z.string(),
  z.strictObject({
    equals: z.string().optional(),
    startsWith: z.string().optional(),
    contains: z.string().optional(),
    matches: z.string().optional(),
    flags: z.string().optional(),
  }),
]);
const Range = z.strictObject({ min: z.number().optional(), max: z.number().optional() });

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.strictObject({
    all: z.array(ConditionSchema).optional(),
    any: z.array(ConditionSchema).optional(),
    not: ConditionSchema.optional(),
    method: z.string().optional(),
    endpoint: z.union([z.string(), z.array(z.string())]).optional(),
    path: TextMatch.optional(),
    header: z.strictObject({ name: z.string(), value: TextMatch.optional() }).optional(),
    hasBody: z.boolean().optional(),
    model: TextMatch.optional(),
    system: TextMatch.optional(),
    noSystem: z.boolean().optional(),
    tool: TextMatch.optional(),
    toolCount: Range.optional(),
    toolChoice: z.string().optional(),
    maxTokens: z.union([z.number(), Range]).optional(),
    stream: z.boolean().optional(),
    thinking: z.boolean().optional(),
    outputFormat: z.strictObject({ type: z.string().optional(), property: z.string().optional() }).optional(),
    messageCount: Range.optional(),
    firstUserText: TextMatch.optional(),
    lastUserText: TextMatch.optional(),
    toolResults: z.boolean().optional(),
    responseTool: TextMatch.optional(),
    threadPosition: z.enum(['first', 'continues']).optional(),
    spawned: z.union([z.boolean(), z.string()]).optional(),
    primaryThread: z.boolean().optional(),
    afterBrokenStream: z.boolean().optional(),
  }),
);

const SignatureSetSchema = z.strictObject({
  agent: z.string(),
  label: z.string(),
  versions: z.array(z.string()).optional(),
  detect: ConditionSchema,
  version: z.array(z.strictObject({ header: z.string(), pattern: z.string() })).optional(),
  signatures: z.array(
    z.strictObject({ id: z.string(), mechanism: z.string(), evidence: z.string().optional(), when: ConditionSchema }),
  ),
  features: z.array(z.strictObject({ id: z.string(), when: ConditionSchema })).optional(),
  reminders: z.array(z.strictObject({ kind: z.string(), matches: z.string() })).optional(),
});

export const SignatureFile = z.strictObject({ sets: z.array(SignatureSetSchema) });

export function loadSignatureFile(file: string): SignatureSet[] {
  let parsed: z.infer<typeof SignatureFile>;
  try {
    parsed = SignatureFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new AgentTapError(
      'AGENTTAP_CONFIG_INVALID',
      `${file}: not a signature file (${(err as Error).message.slice(0, 400)}). Fix: {"sets": [{"agent": "my-agent", "label": "My agent", "detect": {…}, "signatures": [{"id": "my-agent/x", "mechanism": "x", "when": {…}}]}]} — see README "Report".`,
    );
  }
  for (const set of parsed.sets) {
    for (const s of [...set.signatures.map((x) => x.when), set.detect]) checkRegexes(s, file);
  }
  return parsed.sets as SignatureSet[];
}

function checkRegexes(cond: Condition, file: string): void {
  for (const value of Object.values(cond)) {
    if (value && typeof value === 'object') {
      const m = (value as { matches?: unknown }).matches;
      if (typeof m === 'string') {
        try {
          new RegExp(m);
        } catch {
          throw new AgentTapError('AGENTTAP_CONFIG_INVALID', `${file}: "${m}" is not a valid regular expression.`);
        }
      }
      if (Array.isArray(value)) for (const c of value) checkRegexes(c as Condition, file);
      else checkRegexes(value as Condition, file);
    }
  }
}
