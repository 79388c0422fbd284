import type { Config } from '../../config/schema.js';
import type { OutgoingRequest, RulesStep } from './runtime.js';

/**
 * The rewrite rules of a capture (the loader's or the proxy's), read and checked before anything starts: a bad
 * file throws AGENTTAP_RULES_INVALID. Imported only when a rules file is given — validating it loads zod,
 * classifying loads the signatures.
 */
export async function loadRulesStep(config: Config): Promise<RulesStep> {
  const [{ loadRules }, { createRulesStep }, { loadPriceTable }, mechanismOf] = await Promise.all([
    import('./rules-load.js'),
    import('./runtime.js'),
    import('../../pricing/index.js'),
    requestMechanisms(),
  ]);
  const file = await loadRules(config.rules!);
  return createRulesStep(file, { dryRun: config.dryRun, prices: loadPriceTable(config.prices), mechanismOf });
}

/**
 * The mechanism of a request as the rules see it, from the shipped signatures. Shared with `agenttap rules
 * simulate` (simulate.ts), so a recorded request is classified as the live step classified it.
 */
export async function requestMechanisms(): Promise<(request: OutgoingRequest) => string | undefined> {
  const [{ Classifier, shippedSets }, { mechanismOfRequest }] = await Promise.all([
    import('../../mechanisms/index.js'),
    import('../../mechanisms/request-facts.js'),
  ]);
  const classifier = new Classifier(shippedSets());
  return (r) =>
    mechanismOfRequest((facts) => classifier.classify(facts), {
      method: r.method,
      endpoint: r.endpoint,
      path: r.path,
      headers: r.headers,
      body: r.body,
    });
}
