/** `--json`: the report model itself, one field per line-ish (indent 1: a large session stays greppable, not huge). */
import type { ReportModel } from '../../model/types.js';

export const renderJson = (model: ReportModel) => `${JSON.stringify(model, null, 1)}\n`;
