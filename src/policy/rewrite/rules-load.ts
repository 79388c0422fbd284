/**
 * Reads a rules file — JSON, YAML, or an ES module whose default export (or `rules` export) is the same object —
 * and validates it. Every problem names the file, the rule (its id and index), the field and the fix;
 * `agenttap run` turns that into a stop before the agent starts.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { AgentTapError, fieldPath } from '../../errors.js';
import type { HookFn } from './actions/hook.js';
import { RulesFile } from './rules-schema.js';

/** `source`: how the user named the file (`--rules`, `environment variable AGENTTAP_RULES`), for a path that is wrong. */
export async function loadRules(path: string, cwd = process.cwd(), source?: string): Promise<RulesFile> {
  const file = resolve(cwd, path);
  const raw = await readRaw(file, source);
  const parsed = RulesFile.safeParse(raw);
  if (!parsed.success) throw rulesError(file, raw, parsed.error);
  await resolveHookModules(file, parsed.data);
  return parsed.data;
}

/** A hook given as `module` gets its function now, so a missing file or export stops the run before the agent starts. */
async function resolveHookModules(file: string, rules: RulesFile): Promise<void> {
  for (const [r, rule] of rules.rules.entries()) {
    for (const [a, action] of rule.actions.entries()) {
      if (action.type !== 'hook' || action.module === undefined) continue;
      const name = action.export ?? 'default';
      const where = `${file}: rule "${rule.id}" (rules[${r}]), field "actions[${a}].module"`;
      let module: Record<string, unknown>;
      try {
        module = (await import(pathToFileURL(resolve(dirname(file), action.module)).href)) as Record<string, unknown>;
      } catch (err) {
        throw new AgentTapError(
          'AGENTTAP_RULES_INVALID',
          `${where}: cannot import ${action.module} (${(err as Error).message}). Fix: a path relative to the rules file.`,
        );
      }
      if (typeof module[name] !== 'function') {
        throw new AgentTapError(
          'AGENTTAP_RULES_INVALID',
          `${where}: ${action.module} has no function export "${name}". Fix: export the hook function, or set "export" to its name.`,
        );
      }
      action.fn = module[name] as HookFn;
    }
  }
}

async function readRaw(file: string, source: string | undefined): Promise<unknown> {
  const fail = (why: string) => new AgentTapError('AGENTTAP_RULES_INVALID', `agenttap: ${file}: ${why}`);
  const checkPath = `Fix: check the path given to ${source ?? '--rules, AGENTTAP_RULES or the config\'s "rules"'}.`;
  if (['.mjs', '.js'].includes(extname(file))) {
    let module: { default?: unknown; rules?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as typeof module;
    } catch (err) {
      throw fail(
        `cannot be imported (${(err as Error).message}).${(err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' ? ` ${checkPath}` : ''}`,
      );
    }
    if (module.default !== undefined) return module.default;
    if (module.rules !== undefined) return { rules: module.rules };
    throw fail('exports neither a default object nor `rules`. Fix: `export default { rules: [...] }`.');
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(`cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). ${checkPath}`);
  }
  if (['.yaml', '.yml'].includes(extname(file))) {
    // The `yaml` package: errors carry line and column, which a user fixing the file needs.
    const { parse } = await import('yaml');
    try {
      return parse(text) as unknown;
    } catch (err) {
      throw fail(`not valid YAML (${(err as Error).message.split('\n')[0]}).`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw fail(
      `not valid JSON (${(err as Error).message}). Rules files are JSON, YAML (.yaml/.yml), or an .mjs module exporting the same object.`,
    );
  }
}

function rulesError(file: string, raw: unknown, error: z.ZodError): AgentTapError {
  const rules = (raw as { rules?: { id?: unknown }[] } | null)?.rules;
  const lines = error.issues.map((issue) => {
    const [top, index, ...rest] = issue.path;
    let where = `field "${fieldPath(issue.path) || '(top level)'}"`;
    if (top === 'rules' && typeof index === 'number') {
      const id = rules?.[index]?.id;
      where = `rule ${typeof id === 'string' ? `"${id}" ` : ''}(rules[${index}]), field "${fieldPath(rest) || '(the rule)'}"`;
    }
    return `  ${file}: ${where}: ${issue.message}.${fixFor(issue)}`;
  });
  return new AgentTapError('AGENTTAP_RULES_INVALID', `agenttap: invalid rules\n${lines.join('\n')}`);
}

function fixFor(issue: z.core.$ZodIssue): string {
  // Some messages carry their own fix (a user regex).
  if (/ Fix: /.test(issue.message)) return '';
  if (issue.code === 'unrecognized_keys')
    return ` Fix: remove ${issue.keys.map((k) => `"${k}"`).join(', ')} (see \`agenttap schema rules\`).`;
  if (
    (issue.code === 'invalid_union' && issue.path.at(-1) === 'type') ||
    (issue.code === 'invalid_union' && 'note' in issue)
  ) {
    return ' Fix: "type" is one of setModel, capMaxTokens, truncate, dropThinking, trimContext, contextManagement, removeTools, hook.';
  }
  if (issue.code === 'invalid_value' && 'values' in issue)
    return ` Fix: use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`;
  return ' Fix: see `agenttap schema rules` for the expected shape.';
}
