/** DOM helpers of the report page: captured text reaches the page as text nodes only, never as markup. */
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string> | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v);
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

export const on = <T extends HTMLElement>(el: T, ev: string, fn: (e: Event) => void): T => {
  el.addEventListener(ev, fn);
  return el;
};

/** A button that saves `text` as a file (a Blob URL: the page itself makes no request). */
export function download(name: string, text: string): HTMLElement {
  return on(h('button', { class: 'small' }, `export ${name}`), 'click', () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}
