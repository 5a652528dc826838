/**
 * Runs -> a design matrix over the swept parameters. Numeric parameters give their raw value and, when
 * positive, their log (serving behaviour is often linear in log load or log batch size); with enough
 * configurations, hinges and pairwise products of a centred "shape" term (the log, else the raw value) add
 * bends and interactions. Other parameters (strings, booleans, objects) are one-hot.
 */
export interface NumericParam {
  kind: 'numeric';
  key: string;
  /** Distinct measured values, ascending. */
  values: number[];
  integer: boolean;
  positive: boolean;
}

export interface CategoricalParam {
  kind: 'categorical';
  key: string;
  /** Distinct measured values, in order of their JSON text. */
  values: unknown[];
}

export type ParamSpec = NumericParam | CategoricalParam;

const level = (v: unknown): string => JSON.stringify(v ?? null);

/** What each swept parameter looks like across the runs (x only: no outcome is read, so this cannot leak). */
export function describeParams(paramsList: readonly Record<string, unknown>[]): ParamSpec[] {
  const keys = [...new Set(paramsList.flatMap((p) => Object.keys(p)))].sort();
  return keys.map((key): ParamSpec => {
    const raw = paramsList.map((p) => p[key]);
    if (raw.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      const values = [...new Set(raw as number[])].sort((a, b) => a - b);
      return { kind: 'numeric', key, values, integer: values.every(Number.isInteger), positive: values.every((v) => v > 0) };
    }
    const byLevel = new Map(raw.map((v) => [level(v), v ?? null]));
    return { kind: 'categorical', key, values: [...byLevel.keys()].sort().map((l) => byLevel.get(l)) };
  });
}

/**
 * The same parameters with numeric values narrowed to those in `subset` (a training fold): knots then sit
 * inside the training data, as they would for a real fit. Kinds and the positive flag stay the sweep's, so a
 * held-out value is always transformed the same way.
 */
export function narrowParams(specs: readonly ParamSpec[], subset: readonly Record<string, unknown>[]): ParamSpec[] {
  return specs.map((spec) =>
    spec.kind === 'numeric' ? { ...spec, values: [...new Set(subset.map((p) => p[spec.key] as number))].sort((a, b) => a - b) } : spec,
  );
}

export interface FeatureSet {
  names: string[];
  row(params: Record<string, unknown>): number[];
}

type Column = { name: string; value: (params: Record<string, unknown>) => number };

/** The centred, scaled shape term of a numeric parameter, from its measured values. */
function shape(spec: NumericParam): (params: Record<string, unknown>) => number {
  const t = (x: number) => (spec.positive ? Math.log(x) : x);
  const ts = spec.values.map(t);
  const mean = ts.reduce((a, b) => a + b, 0) / ts.length;
  const sd = Math.sqrt(ts.reduce((a, b) => a + (b - mean) ** 2, 0) / ts.length) || 1;
  return (p) => (t(Number(p[spec.key])) - mean) / sd;
}

/** The columns for these parameters; hinges and products only with at least two configurations per main effect. */
export function featureSet(specs: readonly ParamSpec[], configurations: number): FeatureSet {
  const base: Column[] = [];
  const shapes: { spec: NumericParam; s: (p: Record<string, unknown>) => number }[] = [];
  for (const spec of specs) {
    if (spec.values.length < 2) continue; // never varied: nothing to learn from it
    if (spec.kind === 'numeric') {
      base.push({ name: spec.key, value: (p) => Number(p[spec.key]) });
      if (spec.positive) base.push({ name: `log(${spec.key})`, value: (p) => Math.log(Number(p[spec.key])) });
      shapes.push({ spec, s: shape(spec) });
    } else {
      // Drop the first level: the intercept stands for it.
      for (const v of spec.values.slice(1)) base.push({ name: `${spec.key}=${level(v)}`, value: (p) => Number(level(p[spec.key]) === level(v)) });
    }
  }
  const second: Column[] = [];
  shapes.forEach(({ spec, s }, i) => {
    const sName = spec.positive ? `log(${spec.key})` : spec.key;
    // Hinges at the interior measured values make the fit piecewise linear in the shape term: a throughput
    // that rises then saturates, a latency flat until the knee, and straight (not quadratic) extrapolation.
    for (const knot of spec.values.slice(1, -1)) {
      const at = s({ [spec.key]: knot });
      second.push({ name: `hinge(${sName} at ${knot})`, value: (p) => Math.max(0, s(p) - at) });
    }
    for (const other of shapes.slice(i + 1)) {
      const oName = other.spec.positive ? `log(${other.spec.key})` : other.spec.key;
      second.push({ name: `${sName}*${oName}`, value: (p) => s(p) * other.s(p) });
    }
  });
  // Ridge keeps extra columns in check, but a few configurations per main effect are needed to learn more.
  const columns = configurations >= 2 * base.length ? [...base, ...second] : base;
  return { names: columns.map((c) => c.name), row: (p) => columns.map((c) => c.value(p)) };
}

export interface Standardizer {
  mean: number[];
  scale: number[];
}

/** Column means and standard deviations of the training rows; a constant column scales to all zeros. */
export function fitStandardizer(rows: readonly number[][]): Standardizer {
  const p = rows[0]?.length ?? 0;
  const n = rows.length || 1;
  const mean = Array.from({ length: p }, (_, j) => rows.reduce((a, r) => a + r[j], 0) / n);
  const scale = mean.map((m, j) => Math.sqrt(rows.reduce((a, r) => a + (r[j] - m) ** 2, 0) / n));
  return { mean, scale };
}

export function standardize(s: Standardizer, row: readonly number[]): number[] {
  return row.map((v, j) => (s.scale[j] > 1e-12 ? (v - s.mean[j]) / s.scale[j] : 0));
}
