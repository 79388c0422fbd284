/** The report page's CSS (inlined under the page's CSP by hash). */
export const CSS = `
:root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#fff; --panel:#f8f9fb; --accent:#3356d6; --warn:#b54708; --new:#e9f7ef; --rem:#fff4d6; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { padding:16px 24px; border-bottom:1px solid var(--line); background:var(--panel); }
header h1 { margin:0 0 4px; font-size:18px; }
header .meta { color:var(--muted); }
nav { display:flex; gap:4px; padding:8px 24px; border-bottom:1px solid var(--line); position:sticky; top:0; background:var(--bg); z-index:5; }
nav button { border:1px solid var(--line); background:var(--bg); padding:4px 10px; border-radius:6px; cursor:pointer; font:inherit; }
nav button[aria-pressed=true] { background:var(--accent); color:#fff; border-color:var(--accent); }
main { padding:16px 24px; }
section { margin-bottom:28px; }
h2 { font-size:16px; margin:0 0 8px; }
h3 { font-size:14px; margin:12px 0 6px; }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
th, td { border-bottom:1px solid var(--line); padding:4px 8px; text-align:right; white-space:nowrap; }
th:first-child, td:first-child { text-align:left; }
th { color:var(--muted); font-weight:600; font-size:12px; }
#threads td, #threads th, #anatomy td, #anatomy th { text-align:left; }
td.preview { white-space:normal; font-family:ui-monospace,monospace; font-size:12px; }
tr.total td { font-weight:600; border-top:2px solid var(--fg); }
.swatch { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:6px; vertical-align:middle; }
.timeline { position:relative; border:1px solid var(--line); border-radius:6px; overflow:hidden; }
.timeline canvas { display:block; width:100%; cursor:pointer; }
.legend { display:flex; flex-wrap:wrap; gap:12px; margin:6px 0; color:var(--muted); font-size:12px; }
.hint { color:var(--muted); font-size:12px; }
.tooltip { position:fixed; pointer-events:none; background:#111827; color:#fff; padding:6px 8px; border-radius:4px; font-size:12px; white-space:pre; z-index:20; display:none; max-width:480px; overflow:hidden; }
.list { height:320px; overflow:auto; border:1px solid var(--line); border-radius:6px; position:relative; }
.list .row { position:absolute; left:0; right:0; height:24px; display:grid; grid-template-columns:60px 90px 190px 1fr 90px 90px 90px; gap:8px; padding:2px 8px; cursor:pointer; font-size:12px; border-bottom:1px solid var(--line); white-space:nowrap; overflow:hidden; }
.list .row:hover, .list .row.sel { background:#eef2ff; }
.list .row span { overflow:hidden; text-overflow:ellipsis; }
#exchange { border:1px solid var(--line); border-radius:6px; padding:12px 16px; background:var(--panel); }
#exchange[hidden] { display:none; }
.kv { display:grid; grid-template-columns:160px 1fr; gap:2px 12px; font-size:13px; }
.kv div:nth-child(odd) { color:var(--muted); }
.msg { border:1px solid var(--line); border-radius:6px; margin:6px 0; background:var(--bg); }
.msg.new { background:var(--new); border-color:#9fd8b5; }
.msg > .role { font-size:12px; font-weight:600; padding:4px 8px; border-bottom:1px solid var(--line); color:var(--muted); }
.block { padding:6px 8px; }
.block .kind { font-size:11px; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
pre { margin:2px 0; white-space:pre-wrap; word-break:break-word; font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; max-height:480px; overflow:auto; }
pre.diff ins { background:#e6ffec; text-decoration:none; display:block; }
pre.diff del { background:#ffebe9; text-decoration:line-through; display:block; }
mark.reminder { background:var(--rem); border-left:3px solid #f5b400; display:block; padding:2px 6px; margin:2px 0; color:inherit; }
.thinking pre { color:#475467; font-style:italic; }
.badge { display:inline-block; padding:0 6px; border-radius:10px; background:#eef2ff; color:var(--accent); font-size:12px; margin-right:4px; }
.badge.warn { background:#fef0c7; color:var(--warn); }
.rw { display:inline-block; padding:0 5px; border-radius:8px; color:#fff; font-size:11px; line-height:16px; vertical-align:1px; margin-right:4px; }
.rw-sent { background:#039855; }
.rw-dry-run { background:#6941c6; }
.rw-rejected { background:#dc6803; }
.rewrite { border:1px solid var(--line); border-left:4px solid #039855; border-radius:6px; padding:4px 12px 8px; margin:8px 0; background:var(--bg); }
.rewrite-dry-run { border-left-color:#6941c6; }
.rewrite-rejected { border-left-color:#dc6803; }
#rewrites td:first-child, #simulation td:first-child { white-space:normal; }
#simulation td:nth-child(2), #simulation th:nth-child(2) { text-align:left; }
.reasons { margin:4px 0 0 16px; padding:0; font-size:12px; color:var(--muted); }
details > summary { cursor:pointer; }
.bars { display:grid; grid-template-columns:220px 1fr 80px; gap:2px 8px; align-items:center; font-size:12px; }
.bar { height:10px; background:var(--accent); border-radius:2px; }
button.link { background:none; border:none; color:var(--accent); cursor:pointer; padding:0; font:inherit; text-decoration:underline; }
button.small { font-size:12px; padding:2px 8px; border:1px solid var(--line); border-radius:4px; background:var(--bg); cursor:pointer; }
`;
