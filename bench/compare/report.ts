/*
 * Figures per round and server, Rewind/Redis ratios (median of the per-round ratios) and the
 * targets, as a Markdown table that RESULTS.md can take as is.
 */
export interface MetricDef {
  key: string;
  label: string;
  unit: string;
  /** Which way is better for Rewind's ratio. */
  better: 'higher' | 'lower';
  target?: { op: '>=' | '<='; value: number };
  digits: number;
}

export interface Sample {
  rewind: number;
  redis: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function fmt(v: number, digits: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export interface Row {
  def: MetricDef;
  samples: Sample[];
  rewindMedian: number;
  redisMedian: number;
  ratio: number;
  pass: boolean | null;
}

export function summarize(defs: readonly MetricDef[], data: ReadonlyMap<string, Sample[]>): Row[] {
  const rows: Row[] = [];
  for (const def of defs) {
    const samples = data.get(def.key) ?? [];
    if (samples.length === 0) continue;
    const ratio = median(samples.map((s) => s.rewind / s.redis));
    let pass: boolean | null = null;
    if (def.target !== undefined) pass = def.target.op === '>=' ? ratio >= def.target.value : ratio <= def.target.value;
    rows.push({
      def,
      samples,
      rewindMedian: median(samples.map((s) => s.rewind)),
      redisMedian: median(samples.map((s) => s.redis)),
      ratio,
      pass,
    });
  }
  return rows;
}

export function markdownTable(rows: readonly Row[]): string {
  const out: string[] = [
    '| Metric | Rewind (median) | Redis (median) | Rewind/Redis (median of rounds) | Target | Met | Per-round ratios |',
    '|---|---:|---:|---:|---|---|---|',
  ];
  for (const r of rows) {
    const d = r.def;
    const target = d.target === undefined ? '—' : `${d.target.op} ${d.target.value}`;
    const met = r.pass === null ? '' : r.pass ? 'yes' : '**no**';
    const per = r.samples.map((s) => (s.rewind / s.redis).toFixed(2)).join(', ');
    out.push(`| ${d.label} (${d.unit}) | ${fmt(r.rewindMedian, d.digits)} | ${fmt(r.redisMedian, d.digits)} | ${r.ratio.toFixed(2)} | ${target} | ${met} | ${per} |`);
  }
  return out.join('\n');
}

export function rawTable(rows: readonly Row[]): string {
  const out: string[] = ['| Metric | Round | Rewind | Redis |', '|---|---:|---:|---:|'];
  for (const r of rows) {
    r.samples.forEach((s, i) => {
      out.push(`| ${r.def.label} (${r.def.unit}) | ${i + 1} | ${fmt(s.rewind, r.def.digits)} | ${fmt(s.redis, r.def.digits)} |`);
    });
  }
  return out.join('\n');
}
