/** `agenttap rules simulate --json`: the summary itself (indent 1, like the report's JSON). */
import type { SimulationSummary } from '../../model/simulation.js';

export const renderSimulationJson = (s: SimulationSummary) => `${JSON.stringify(s, null, 1)}\n`;
