"""The report's stylesheet, inlined into the page so it opens offline as one file."""

CSS = """
:root { --ink: #1d2329; --muted: #5b6470; --line: #dfe3e8; --accent: #1f5f99;
  --soft: #f4f7fa; --warn: #9a3412; --good: #166534; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { font-size: 1.8rem; margin: 0 0 4px; }
.sub { color: var(--muted); margin: 0 0 12px; }
nav.toc { display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: .92rem;
  padding: 10px 0 14px; border-bottom: 1px solid var(--line); }
nav.toc a { color: var(--accent); text-decoration: none; }
section { padding: 22px 0 8px; border-bottom: 1px solid var(--line); }
h2 { font-size: 1.3rem; margin: 0 0 6px; }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
p { margin: 6px 0 10px; }
.how { color: var(--muted); font-size: .9rem; border-left: 3px solid var(--line);
  padding-left: 10px; }
.how strong { color: var(--ink); font-weight: 600; }
.lead { font-size: 1.02rem; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(135px, 1fr)); gap: 10px;
  margin: 10px 0 12px; }
.kpi { background: var(--soft); border: 1px solid var(--line); border-radius: 8px;
  padding: 10px 12px; break-inside: avoid; }
.kpi .label { color: var(--muted); font-size: .82rem; text-transform: uppercase;
  letter-spacing: .03em; }
.kpi .value { font-size: 1.45rem; font-weight: 650; line-height: 1.25;
  overflow-wrap: anywhere; }
.kpi .note { color: var(--muted); font-size: .8rem; }
.up { color: var(--good); } .down { color: var(--warn); }
figure { margin: 8px 0 12px; break-inside: avoid; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: 4px; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
svg.chart { display: block; width: 100%; max-width: 780px; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; margin: 6px 0 12px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-weight: 600; background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { min-width: 8em; max-width: 15em; }
td.id .who { display: block; font-weight: 600; }
/* An e-mail never wraps mid-word: it is cut with an ellipsis, the full text in its title. */
td.id .email { display: block; max-width: 15em; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; color: var(--muted); font-size: .88em; }
.meaning { color: var(--muted); font-size: .88rem; }
.unavailable { background: #fff7ed; border: 1px solid #fed7aa; border-radius: 6px;
  padding: 8px 12px; color: var(--warn); }
.notes li { margin: 4px 0; }
.skipped td { font-size: .88rem; }
footer { color: var(--muted); font-size: .85rem; padding-top: 18px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: .88em; background: var(--soft); padding: 0 3px; border-radius: 3px; }
@media (max-width: 640px) {
  main { padding: 16px 12px 32px; }
  header h1 { font-size: 1.45rem; }
  .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .kpi .value { font-size: 1.2rem; }
  svg.chart { min-width: 500px; }
  svg.chart.wide { min-width: var(--min-width, 600px); }
  table { font-size: .85rem; }
}
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  section { break-inside: auto; }
  h2, h3 { break-after: avoid; }
  tr, .kpi, figure, .how, .lead { break-inside: avoid; }
  .scroll { overflow: visible; }
  svg.chart, svg.chart.wide { min-width: 0; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
