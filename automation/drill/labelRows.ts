/** A horizontal stretch a label or bar needs, in chart pixels. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/**
 * Rows for spans so that no two spans in one row touch: each span, in order of its start, goes into
 * the first row whose last span ends at least `gap` before it starts (greedy interval partitioning,
 * which uses the fewest rows possible). Returns each span's row, in input order.
 */
export function packRows(spans: readonly Span[], gap = 4): number[] {
  const order = spans.map((s, i) => ({ s, i })).sort((a, b) => a.s.from - b.s.from || a.i - b.i);
  const rowEnds: number[] = [];
  const rows = new Array<number>(spans.length).fill(0);
  for (const { s, i } of order) {
    let row = rowEnds.findIndex((end) => end + gap <= s.from);
    if (row === -1) {
      row = rowEnds.length;
      rowEnds.push(s.to);
    } else rowEnds[row] = s.to;
    rows[i] = row;
  }
  return rows;
}

/** How many rows `packRows` used. */
export const rowCount = (rows: readonly number[]): number => (rows.length === 0 ? 0 : Math.max(...rows) + 1);

/**
 * A generous estimate of a label's width in pixels, so packing never lets two real labels touch:
 * 0.62 em per character is wider than the average glyph of the sans-serif fonts browsers use.
 */
export const labelWidth = (text: string, fontPx: number): number =>
  Math.ceil(text.length * fontPx * 0.62) + 2;
