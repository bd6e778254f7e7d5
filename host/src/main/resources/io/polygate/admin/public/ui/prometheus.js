// The Prometheus text exposition format (version 0.0.4), read generically: series by name and
// labels, whatever registry wrote them. Also the few figures the live view derives from them.

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/g;

/** Every sample of `text` as {name, labels, value}; comments and malformed lines are skipped. */
export function parse(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line.trim());
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const l of m[3].matchAll(LABEL)) labels[l[1]] = unescape(l[2]);
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

function unescape(v) { return v.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c)); }

/** The sum of the samples named `name` whose labels pass `keep`. */
export function sum(samples, name, keep = () => true) {
  return samples.filter(s => s.name === name && keep(s.labels)).reduce((a, s) => a + s.value, 0);
}

/** A request series' status class, "4xx": from a `code` label ("4xx") or an exact `status` ("404"). */
export function statusClass(labels) {
  const code = labels.code || labels.status || '';
  return code ? code[0] + 'xx' : '';
}

/**
 * The q-quantile (0.99) of each group of a histogram (`<name>_bucket` samples with `le`), grouped
 * by `label`, as Prometheus' histogram_quantile does it: linear within the bucket it falls in,
 * the highest finite bound when it falls in +Inf. Returns {group: {count, quantile}} (seconds).
 */
export function histogramQuantiles(samples, name, label, q) {
  const groups = {};
  for (const s of samples) {
    if (s.name !== name + '_bucket' || s.labels.le === undefined || s.labels[label] === undefined) continue;
    const buckets = (groups[s.labels[label]] ||= new Map());
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) || 0) + s.value);
  }
  const out = {};
  for (const [group, buckets] of Object.entries(groups)) {
    const bounds = [...buckets.keys()].sort((a, b) => a - b);
    const count = buckets.get(Infinity) ?? buckets.get(bounds[bounds.length - 1]);
    out[group] = { count, quantile: count > 0 ? quantileOf(bounds, buckets, count * q) : null };
  }
  return out;
}

function quantileOf(bounds, buckets, rank) {
  let lower = 0;
  let below = 0;
  for (const upper of bounds) {
    const cumulative = buckets.get(upper);
    if (cumulative >= rank) {
      if (upper === Infinity) return lower;
      const inBucket = cumulative - below;
      return inBucket === 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
    }
    lower = upper;
    below = cumulative;
  }
  return lower;
}

/** The histograms (names without `_bucket`) among `samples` whose name matches `pattern`. */
export function histogramNames(samples, pattern) {
  return [...new Set(samples.filter(s => s.name.endsWith('_bucket') && pattern.test(s.name)).map(s => s.name.slice(0, -7)))];
}
