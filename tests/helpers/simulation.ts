/**
 * The `rewrite.applied` events of a live dry run, summed the way `rules simulate` sums its decisions (each with the
 * mechanism the simulation found for the same exchange): what a simulation is compared with, rule by rule.
 */
import { summarizeSimulation, type SimulationSummary } from '../../reports/model/simulation.js';
import type { EventOf } from '../../src/log/events.js';

export function summaryOfLiveRun(
  live: EventOf<'rewrite.applied'>[],
  sim: { decisions: readonly { mechanism: string }[] },
): SimulationSummary {
  return summarizeSimulation(
    {
      requests: 0,
      decided: 0,
      skipped: {},
      alreadyRewritten: 0,
      decisions: live.map((e, k) => ({
        file: '',
        exchange: e.exchange,
        mechanism: sim.decisions[k]!.mechanism,
        event: e,
      })),
    },
    '',
    '',
  );
}
