/** Markdown output: tables and number formatting shared by every scenario. */

/** A markdown table from a header row and body rows. */
export function mdTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Requests per second, rounded to a readable precision. */
export function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

/** Milliseconds with 2 significant decimals below 10 ms. */
export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toString();
}

/** A ratio such as "0.62x", or "n/a" without a reference. */
export function fmtRatio(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? 'n/a' : `${n.toFixed(2)}x`;
}

/** "met" / "NOT met" for a target check. */
export function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met';
}
