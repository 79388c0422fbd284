import type { Config } from '../../config/schema.js';
import type { RulesStep } from './runtime.js';

/**
 * The rewrite rules of a capture (the loader's or the proxy's), read and checked before anything starts: a bad
 * file throws AGENTTAP_RULES_INVALID. Imported only when a rules file is given — validating it loads zod,
 * classifying loads the signatures.
 */
export async function loadRulesStep(config: Config): Promise<RulesStep> {
  const [{ loadRules }, { createRulesStep }, { Classifier, shippedSets }, { mechanismOfRequest }, { loadPriceTable }] =
    await Promise.all([
      import('./rules-load.js'),
      import('./runtime.js'),
      import('../../mechanisms/index.js'),
      import('../../mechanisms/request-facts.js'),
      import('../../pricing/index.js'),
    ]);
  const file = await loadRules(config.rules!);
  const classifier = new Classifier(shippedSets());
  return createRulesStep(file, {
    dryRun: config.dryRun,
    prices: loadPriceTable(config.prices),
    mechanismOf: (r) =>
      mechanismOfRequest((facts) => classifier.classify(facts), {
        method: r.method,
        endpoint: r.endpoint,
        path: r.path,
        headers: r.headers,
        body: r.body,
      }),
  });
}
