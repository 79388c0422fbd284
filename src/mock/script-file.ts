/**
 * Scripts as JSON files (for `agenttap mock --script`): either an array of turns or
 * `{ "turns": [...], "finalText"?: "..." }`. Each turn: `{ "text" }`, `{ "toolUse": { "name", "input" } }`
 * or `{ "toolUses": [...] }`, optionally with `"thinking"`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Script } from './types.js';

const ToolUseSchema = z.object({ name: z.string().min(1), input: z.unknown().optional(), id: z.string().optional() });

const TurnSchema = z
  .object({
    text: z.string().optional(),
    toolUse: ToolUseSchema.optional(),
    toolUses: z.array(ToolUseSchema).optional(),
    thinking: z.string().optional(),
  })
  .strict()
  .refine((t) => t.text !== undefined || t.toolUse !== undefined || (t.toolUses?.length ?? 0) > 0, {
    message: 'a turn needs "text", "toolUse" or a non-empty "toolUses"',
  });

export const ScriptFileSchema = z.union([
  z.array(TurnSchema),
  z.object({ turns: z.array(TurnSchema), finalText: z.string().optional() }).strict(),
]);

export interface ScriptFile {
  script: Script;
  finalText?: string;
}

/** Parses a script file's JSON text; throws an Error naming the file and the offending field. */
export function parseScriptFile(text: string, file = 'script'): ScriptFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const result = ScriptFileSchema.safeParse(json);
  if (!result.success) {
    throw new Error(`${file}: not a valid mock script.\n${z.prettifyError(result.error)}`);
  }
  const data = result.data;
  const normalise = (turns: z.infer<typeof TurnSchema>[]): Script =>
    turns.map((t) => ({
      ...t,
      ...(t.toolUse ? { toolUse: { ...t.toolUse, input: t.toolUse.input ?? {} } } : {}),
      ...(t.toolUses ? { toolUses: t.toolUses.map((u) => ({ ...u, input: u.input ?? {} })) } : {}),
    })) as Script;
  if (Array.isArray(data)) return { script: normalise(data) };
  return data.finalText !== undefined
    ? { script: normalise(data.turns), finalText: data.finalText }
    : { script: normalise(data.turns) };
}

export function loadScriptFile(path: string): ScriptFile {
  return parseScriptFile(readFileSync(path, 'utf8'), path);
}
