// The console's live charts, drawn with uPlot (loaded beside this module as the global uPlot):
// bytes in and out per second, records in per second, and requests per second for each API. The
// broker's /api/stats gives counts since it started; each chart plots the difference between
// successive reads over the time between them.
const INTERVAL_MS = 1000;
const POINTS = 120;

let running = null;

/** Series colours far apart on the hue circle (golden angle), however many APIs there are. */
const color = (i) => `hsl(${Math.round((i * 137.5) % 360)} 70% 42%)`;

function chart(target, title, unit, names) {
  const series = [{}, ...names.map((label, i) => ({ label, stroke: color(i), width: 2, value: (_, v) => (v == null ? '-' : `${v.toFixed(1)} ${unit}`) }))];
  const width = Math.max(400, target.clientWidth || 800);
  return new window.uPlot({ title, width, height: 220, series, axes: [{}, { label: unit }], scales: { x: { time: true } } }, [[], ...names.map(() => [])], target);
}

/** Charts `stats()` into the three targets every second until stopCharts(). */
export function startCharts(targets, stats, report) {
  stopCharts();
  const run = { timer: null, previous: null, times: [], bytesIn: [], bytesOut: [], messagesIn: [], messagesOut: [], requests: new Map(), charts: {} };
  run.charts.bytes = chart(targets.bytes, 'Bytes per second', 'B/s', ['in', 'out']);
  run.charts.messages = chart(targets.messages, 'Records per second', 'records/s', ['in', 'out']);
  run.requestNames = [];
  running = run;
  const tick = async () => {
    const now = await stats();
    if (running !== run) return;
    const before = run.previous;
    run.previous = now;
    if (before === null) return;
    const seconds = (now.at - before.at) / 1000;
    // Counts of a deleted topic vanish from the totals: a rate is never below 0.
    const rate = (a, b) => Math.max(0, (a - b) / seconds);
    run.times.push(now.at / 1000);
    run.bytesIn.push(rate(now.bytesIn, before.bytesIn));
    run.bytesOut.push(rate(now.bytesOut, before.bytesOut));
    run.messagesIn.push(rate(now.messagesIn, before.messagesIn));
    run.messagesOut.push(rate(now.messagesOut, before.messagesOut));
    for (const name of Object.keys(now.requests)) if (!run.requests.has(name)) run.requests.set(name, run.times.slice(0, -1).map(() => 0));
    for (const [name, points] of run.requests) points.push(rate(now.requests[name] ?? 0, before.requests[name] ?? 0));
    if (run.times.length > POINTS) {
      for (const list of [run.times, run.bytesIn, run.bytesOut, run.messagesIn, run.messagesOut, ...run.requests.values()]) list.shift();
    }
    const names = [...run.requests.keys()].sort();
    if (names.join() !== run.requestNames.join()) {
      // A new API was called: the chart is made again with one series per API.
      run.charts.requests?.destroy();
      targets.requests.replaceChildren();
      run.charts.requests = chart(targets.requests, 'Requests per second by API', 'req/s', names);
      run.requestNames = names;
    }
    run.charts.bytes.setData([run.times, run.bytesIn, run.bytesOut]);
    run.charts.messages.setData([run.times, run.messagesIn, run.messagesOut]);
    run.charts.requests.setData([run.times, ...names.map((n) => run.requests.get(n))]);
    report(`Last second: ${run.bytesIn.at(-1).toFixed(0)} B/s in, ${run.bytesOut.at(-1).toFixed(0)} B/s out, ${run.messagesIn.at(-1).toFixed(0)} records/s in, ${run.messagesOut.at(-1).toFixed(0)} records/s out (${run.times.length} points)`);
  };
  run.timer = setInterval(() => tick().catch((err) => report(`Could not read stats: ${err.message}`)), INTERVAL_MS);
  tick().catch((err) => report(`Could not read stats: ${err.message}`));
}

export function stopCharts() {
  if (running === null) return;
  clearInterval(running.timer);
  for (const c of Object.values(running.charts)) c.destroy();
  running = null;
}
