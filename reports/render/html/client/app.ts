/** What the views of the report page share: the data, the colours, the selection, links to an exchange. */
import type { ExchangeRow } from '../../../model/types.js';
import type { PageData } from './data.js';
import { h, on } from './dom.js';
import type { RewritesView } from './rewrites.js';

export interface App extends PageData {
  rows: ExchangeRow[];
  main: HTMLElement;
  label(id: string): string;
  /** Models in order of first use (one colour each). */
  models: string[];
  colour(r: ExchangeRow): string;
  /** A link that opens exchange `i`. */
  link(text: string, i: number): HTMLElement;
  /** Opens exchange `i` (set by the exchange view). */
  open(i: number): void;
  selected?: ExchangeRow;
  /** Redraws of the views that show the selection. */
  onSelect: (() => void)[];
  rw: RewritesView;
}

export const PALETTE = [
  '#3356d6',
  '#e07a10',
  '#12a150',
  '#c2255c',
  '#7048e8',
  '#0c8599',
  '#a61e4d',
  '#5c940d',
  '#862e9c',
  '#495057',
];

export function makeApp(data: PageData, main: HTMLElement): Omit<App, 'rw'> {
  const rows = data.model.exchanges;
  const models = [...new Set(rows.map((r) => r.responseModel ?? r.model ?? '(none)'))];
  const app: Omit<App, 'rw'> = {
    ...data,
    rows,
    main,
    models,
    label: (id) => data.model.mechanisms.find((m) => m.id === id)?.label ?? id,
    colour: (r) => PALETTE[models.indexOf(r.responseModel ?? r.model ?? '(none)') % PALETTE.length]!,
    // Late-bound: the exchange view sets `open` after the views that hold links are built.
    link: (text, i) => on(h('button', { class: 'link' }, text), 'click', () => app.open(i)),
    open: () => undefined,
    onSelect: [],
  };
  return app;
}
