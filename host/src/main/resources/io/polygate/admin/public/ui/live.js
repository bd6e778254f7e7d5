// The live view: reads the admin /metrics every few seconds and shows request rate, 4xx/5xx,
// limiter denials and hook p99 by bundle. Series are found by name (docs/dashboard.md lists them),
// so a registry that adds labels or series does not break the view.
import { call } from './admin.js';
import { parse, sum, statusClass, histogramQuantiles, histogramNames } from './prometheus.js';
import { cell, fill } from './view.js';

export const REFRESH_MS = 3000;
const REQUESTS = 'polygate_requests_total';
const DENIALS = ['polygate_limit_rate_limited_total', 'polygate_limit_quota_exceeded_total'];
const HOOK_SERIES = /hook/;

let previous = null;   // {at, total, byApi}
let timer = null;

export function start(onError) {
  stop();
  const tick = async () => {
    try {
      show(parse(await call('GET', '/metrics')));
    } catch (e) {
      onError(e);
    }
  };
  tick();
  timer = setInterval(tick, REFRESH_MS);
}

export function stop() {
  if (timer !== null) clearInterval(timer);
  timer = null;
  previous = null;
}

function show(samples) {
  const at = Date.now();
  const total = sum(samples, REQUESTS);
  const byApi = {};
  for (const s of samples.filter(s => s.name === REQUESTS)) {
    const api = (byApi[s.labels.api || '?'] ||= { total: 0, '4xx': 0, '5xx': 0 });
    api.total += s.value;
    const cls = statusClass(s.labels);
    if (cls in api) api[cls] += s.value;
  }
  const seconds = previous ? (at - previous.at) / 1000 : 0;
  const rate = (now, before) => (seconds > 0 && before !== undefined ? Math.max(0, now - before) / seconds : null);

  text('rps', format(rate(total, previous?.total)));
  text('requests-total', total);
  text('errors-4xx', sum(samples, REQUESTS, l => statusClass(l) === '4xx'));
  text('errors-5xx', sum(samples, REQUESTS, l => statusClass(l) === '5xx'));
  text('limiter-denials', DENIALS.reduce((a, name) => a + sum(samples, name), 0));
  fill('#live-apis', Object.entries(byApi).sort(), ([api, n]) => [
    cell(api), cell(n.total), cell(format(rate(n.total, previous?.byApi[api]?.total))), cell(n['4xx']), cell(n['5xx'])]);

  const hooks = hookP99(samples);
  document.getElementById('live-hooks-empty').hidden = hooks.length > 0;
  fill('#live-hooks', hooks, ([bundle, h]) => [cell(bundle), cell(h.count ?? '–'), cell(h.quantile == null ? '–' : milliseconds(h.quantile))]);

  text('live-updated', 'updated ' + new Date(at).toLocaleTimeString());
  previous = { at, total, byApi: Object.fromEntries(Object.entries(byApi).map(([k, v]) => [k, { total: v.total }])) };
}

/** [bundle, {count, quantile}] from hook histograms labelled by bundle, else from summaries' 0.99 quantile. */
function hookP99(samples) {
  const byBundle = {};
  for (const name of histogramNames(samples, HOOK_SERIES)) {
    for (const [bundle, h] of Object.entries(histogramQuantiles(samples, name, 'bundle', 0.99))) {
      const seen = byBundle[bundle];
      if (!seen || (h.quantile ?? -1) > (seen.quantile ?? -1)) byBundle[bundle] = h;
    }
  }
  for (const s of samples) {
    if (!HOOK_SERIES.test(s.name) || s.labels.quantile !== '0.99' || !s.labels.bundle || byBundle[s.labels.bundle]) continue;
    byBundle[s.labels.bundle] = { count: null, quantile: s.value };
  }
  return Object.entries(byBundle).sort();
}

function text(id, value) { document.getElementById(id).textContent = value; }
function format(perSecond) { return perSecond == null ? '–' : perSecond.toFixed(perSecond < 10 ? 2 : 0); }
function milliseconds(seconds) { return (seconds * 1000).toFixed(1) + ' ms'; }
