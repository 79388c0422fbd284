/**
 * The rules file: what a user writes to steer an agent's requests. One zod schema, exported as JSON Schema
 * (`agenttap schema rules`). Rules apply in order; each may stop the ones after it (`stop: true`).
 *
 *   { "rules": [ { "id": "titles-to-haiku",
 *                  "match": { "mechanism": "claude-code.session-title" },
 *                  "actions": [ { "type": "setModel", "to": "claude-haiku-4-5" } ] } ] }
 */
import { z } from 'zod';
import { checkUserRegex } from '../../config/user-regex.js';
import type { HookFn } from './actions/hook.js';

const Glob = z.string().min(1);
const OneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

/** A regex tested on the request's model name: it must compile, and must not backtrack exponentially. */
const ModelRegex = z
  .object({ regex: z.string().min(1), flags: z.string().optional() })
  .strict()
  .superRefine((m, ctx) => {
    const problem = checkUserRegex(m.regex, m.flags ?? '', 'test');
    if (problem)
      ctx.addIssue({
        code: 'custom',
        path: [problem.field === 'pattern' ? 'regex' : 'flags'],
        message: problem.message,
      });
  });

export const Match = z
  .object({
    /** Mechanism ids from the classifier (e.g. `claude-code.sub-agent`); any of them. */
    mechanism: OneOrMany(z.string().min(1)).optional(),
    provider: OneOrMany(z.enum(['anthropic', 'openai'])).optional(),
    endpoint: OneOrMany(
      z.enum(['anthropic.messages', 'anthropic.count_tokens', 'openai.chat', 'openai.responses']),
    ).optional(),
    /** A glob (`claude-*-4-*`) or `{ "regex": "…", "flags": "i" }` (checked for catastrophic backtracking at load). */
    model: z.union([Glob, ModelRegex]).optional(),
    /** Estimated input tokens: from the previous response's usage where known, else from the request's size. */
    inputTokens: z
      .object({ min: z.number().int().nonnegative().optional(), max: z.number().int().positive().optional() })
      .strict()
      .optional(),
    messages: z
      .object({ min: z.number().int().nonnegative().optional(), max: z.number().int().positive().optional() })
      .strict()
      .optional(),
    /** Tools offered: `includes` all of these names, or `none: true` for a request without tools. */
    tools: z
      .object({ includes: z.array(z.string().min(1)).min(1).optional(), none: z.boolean().optional() })
      .strict()
      .optional(),
    /** Header values by (lower-case) name, as globs. */
    headers: z.record(z.string().min(1), Glob).optional(),
  })
  .strict();

export const ActionSpec = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('setModel'),
      to: z.string().min(1).optional(),
      map: z.record(z.string(), z.string().min(1)).optional(),
    })
    .strict()
    .refine((a) => a.to !== undefined || a.map !== undefined, { message: 'give "to" or "map"' }),
  z.object({ type: z.literal('capMaxTokens'), max: z.number().int().positive() }).strict(),
  z
    .object({
      type: z.literal('truncate'),
      maxChars: z.number().int().min(100, { message: 'keep at least 100 characters' }),
      headShare: z.number().min(0).max(1).optional(),
      blocks: z
        .array(z.enum(['tool_result', 'text']))
        .min(1)
        .optional(),
    })
    .strict(),
  z.object({ type: z.literal('dropThinking') }).strict(),
  z
    .object({
      type: z.literal('trimContext'),
      targetTokens: z.number().int().positive().optional(),
      keepExchanges: z.number().int().positive().optional(),
    })
    .strict()
    .refine((a) => a.targetTokens !== undefined || a.keepExchanges !== undefined, {
      message: 'give "targetTokens" or "keepExchanges"',
    }),
  z
    .object({
      type: z.literal('contextManagement'),
      clearToolUses: z
        .object({
          triggerTokens: z.number().int().positive().optional(),
          keep: z.number().int().nonnegative().optional(),
          clearAtLeastTokens: z.number().int().positive().optional(),
        })
        .strict()
        .optional(),
      clearThinking: z.object({ keepTurns: z.number().int().nonnegative().optional() }).strict().optional(),
    })
    .strict(),
  z.object({ type: z.literal('removeTools'), names: z.array(z.string().min(1)).min(1) }).strict(),
  z
    .object({
      type: z.literal('hook'),
      /** The function itself: only an .mjs rules file can hold one. */
      fn: z.custom<HookFn>((v) => typeof v === 'function', { message: 'must be a function' }).optional(),
      /** Or a module exporting it, relative to the rules file; `export` names it (default: the default export). */
      module: z.string().min(1).optional(),
      export: z.string().min(1).optional(),
      /** Limit for one call; past it the original request goes out. */
      timeoutMs: z.number().int().min(1).max(10_000).default(100),
    })
    .strict()
    .refine((a) => (a.fn === undefined) !== (a.module === undefined), {
      message: 'give exactly one of "fn" (a function, in an .mjs rules file) or "module" (a path)',
    }),
]);
export type ActionSpec = z.infer<typeof ActionSpec>;

export const Rule = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { message: 'use lower-case letters, digits, ".", "_" and "-"' }),
    description: z.string().optional(),
    match: Match.default({}),
    actions: z.array(ActionSpec).min(1, { message: 'a rule needs at least one action' }),
    /** Later rules do not run when this one applied. */
    stop: z.boolean().default(false),
  })
  .strict();
export type Rule = z.infer<typeof Rule>;

export const RulesFile = z
  .object({
    $schema: z.string().optional(),
    rules: z.array(Rule),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
    });
  });
export type RulesFile = z.infer<typeof RulesFile>;
