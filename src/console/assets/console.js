// Creek's web console: one page whose views (picked by the URL's #fragment) read the broker's
// /api JSON. Every value from the broker is put into the page as text (textContent), never as
// markup, so a record holding HTML or a script shows as the characters it holds. Writes send JSON
// with fetch from this page's origin; the broker refuses them from any other origin.
import { startCharts, stopCharts } from './charts.js';

const $ = (id) => document.getElementById(id);
const FOLLOW_INTERVAL_MS = 1000;
const REFRESH_INTERVAL_MS = 2000;

const state = {
  writesEnabled: true,
  view: null,
  topic: null,
  partition: 0,
  offset: 0,
  nextOffset: 0,
  logStart: 0,
  highWatermark: 0,
  records: [],
  group: null,
  timer: null,
};

// ---- helpers ----

async function api(path, options = {}) {
  const init = { headers: { Accept: 'application/json' }, ...options };
  if (options.json !== undefined) {
    init.method = options.method ?? 'POST';
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(options.json);
  }
  const res = await fetch(path, init);
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  if (!res.ok) throw Object.assign(new Error(body?.message ?? `${path}: HTTP ${res.status}`), { status: res.status });
  return body;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

const cell = (text, className) => el('td', text, className);
const num = (n) => cell(n, 'num');

function link(text, href) {
  const a = el('a', text);
  a.href = href;
  return a;
}

function row(...cells) {
  const tr = document.createElement('tr');
  tr.append(...cells.map((c) => (c instanceof HTMLTableCellElement ? c : wrap(c))));
  return tr;
}

function wrap(...nodes) {
  const td = document.createElement('td');
  td.append(...nodes);
  return td;
}

function fillTable(id, rows) {
  $(id).tBodies[0].replaceChildren(...rows);
}

function facts(id, pairs) {
  $(id).replaceChildren(...pairs.flatMap(([name, value]) => [el('dt', name), el('dd', value)]));
}

function bytes(n) {
  if (n < 0) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function duration(ms) {
  if (ms < 0) return 'forever';
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

function setStatus(text) {
  $('status').textContent = text;
}

function showError(err) {
  $('error').textContent = err ? err.message : '';
  $('error').hidden = !err;
}

/** "a=1, b=2" as [[a, 1], [b, 2]]. */
function pairs(text) {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [p, ''] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
    });
}

/** A datetime-local input's value as ms since the epoch (the browser's time zone). */
const timeOf = (input) => new Date(input.value).getTime();

// ---- record rendering ----

function bytesOf(shown) {
  if (shown.encoding === 'base64') return Uint8Array.from(atob(shown.text), (c) => c.charCodeAt(0));
  return new TextEncoder().encode(shown.text);
}

function hex(shown) {
  return Array.from(bytesOf(shown), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

/** A key or value cell in the chosen format: decoded (by its schema, else pretty JSON, else text), text, JSON or hex. */
function bytesCell(shown, format) {
  if (shown === null) return cell('null', 'bytes null');
  if (format === 'hex') return cell(hex(shown), 'bytes hex');
  if (format === 'auto' && shown.schema !== undefined) {
    const td = cell(null, 'bytes schema');
    const label = 'error' in shown.schema ? `schema ${shown.schema.id}: ${shown.schema.error}` : `${shown.schema.schemaType} schema ${shown.schema.id} (${shown.schema.subject})`;
    td.append(el('span', label, 'schema-label'), el('pre', 'error' in shown.schema ? shown.text : JSON.stringify(shown.schema.decoded, null, 2)));
    return td;
  }
  if (shown.encoding === 'utf8' && (format === 'json' || format === 'auto')) {
    const pretty = prettyJson(shown.text);
    if (pretty !== undefined && (format === 'json' || /^\s*[[{]/.test(shown.text))) return cell(pretty, 'bytes json');
  }
  return cell(shown.text, shown.encoding === 'base64' ? 'bytes base64' : 'bytes');
}

// ---- views ----

const VIEWS = ['overview', 'topics', 'topic', 'messages', 'groups', 'group', 'clients', 'transactions', 'charts'];
const NAV_OF = { topic: 'topics', messages: 'topics', group: 'groups' };

function show(view) {
  for (const id of VIEWS) $(id).hidden = id !== view;
  for (const a of document.querySelectorAll('nav a[data-view]')) a.classList.toggle('active', a.dataset.view === (NAV_OF[view] ?? view));
  for (const w of document.querySelectorAll('.write')) w.hidden = !state.writesEnabled;
}

async function showOverview() {
  const c = await api('/api/cluster');
  state.writesEnabled = c.consoleWritesEnabled;
  show('overview');
  $('cluster-id').textContent = c.clusterId;
  facts('cluster-facts', [
    ['Creek version', c.version],
    ['This broker', `node ${c.nodeId}, up ${duration(c.uptimeMs)}`],
    ['Controller', `node ${c.controllerId}`],
    ['Storage', c.storage],
    ['Topics', c.topicCount],
    ['Partitions', c.partitionCount],
    ['Under-replicated partitions', c.underReplicatedPartitions],
    ['Console writes', c.consoleWritesEnabled ? 'on' : 'off (creek.console.writes.enable=false)'],
  ]);
  fillTable(
    'broker-table',
    c.brokers.map((b) =>
      row(num(b.nodeId), cell([b.controller ? 'controller' : '', b.local ? 'this broker' : ''].filter(Boolean).join(', ')), cell(b.listeners.map((l) => `${l.name} (${l.securityProtocol}) ${l.host}:${l.port}`).join('\n'), 'lines'), cell(b.rack ?? '')),
    ),
  );
  fillTable(
    'logdir-table',
    c.logDirs.map((d) => row(cell(d.logDir), num(bytes(d.partitionBytes)), num(bytes(d.usableBytes)), num(bytes(d.totalBytes)))),
  );
  setStatus(`${c.brokers.length} broker${c.brokers.length === 1 ? '' : 's'}`);
}

async function showTopics() {
  const topics = await api('/api/topics');
  show('topics');
  fillTable(
    'topic-table',
    topics.map((t) => {
      const actions = wrap(link('Details', `#topic/${encodeURIComponent(t.name)}`), ' ', link('Messages', `#messages/${encodeURIComponent(t.name)}/0`));
      if (state.writesEnabled && !t.internal) {
        const del = el('button', 'Delete', 'danger');
        del.type = 'button';
        del.dataset.topic = t.name;
        del.addEventListener('click', () => deleteTopic(t.name));
        actions.append(' ', del);
      }
      return row(cell(t.name), num(t.partitions.length), num(t.replicationFactor), num(t.records), num(bytes(t.size)), cell(t.retentionBytes >= 0 ? `${duration(t.retentionMs)} / ${bytes(t.retentionBytes)}` : duration(t.retentionMs)), cell(t.cleanupPolicy), num(t.underReplicated), actions);
    }),
  );
  setStatus(`${topics.length} topics`);
}

async function showTopic(name) {
  const t = await api(`/api/topics/${encodeURIComponent(name)}`);
  show('topic');
  $('topic-name').textContent = t.name;
  fillTable(
    'partition-table',
    t.partitions.map((p) =>
      row(num(p.partition), num(p.leader), cell(p.replicas.join(', ')), cell(p.isr.join(', ')), num(p.logStartOffset), num(p.highWatermark), num(p.records), num(bytes(p.size)), wrap(link('Messages', `#messages/${encodeURIComponent(t.name)}/${p.partition}`))),
    ),
  );
  fillTable(
    'config-table',
    t.configs.map((c) => row(cell(c.name), cell(c.sensitive ? '(sensitive)' : c.value ?? 'null', 'bytes'), cell(c.source))),
  );
  setStatus(`${t.partitions.length} partitions, ${t.configs.length} configs`);
}

function renderRecords() {
  const format = $('messages-format').value;
  fillTable(
    'message-table',
    state.records.map((r) => {
      const headers = r.headers.map((h) => `${h.key}=${h.value === null ? 'null' : h.value.text}`).join('\n');
      return row(num(r.offset), cell(new Date(r.timestamp).toISOString()), bytesCell(r.key, format), bytesCell(r.value, format), cell(headers, 'bytes'));
    }),
  );
}

async function showMessages(topic, partition, query = {}) {
  const limit = Number($('messages-limit').value) || 50;
  const params = new URLSearchParams({ limit: String(limit), ...query });
  const page = await api(`/api/topics/${encodeURIComponent(topic)}/partitions/${partition}/records?${params}`);
  if (state.topic !== topic) {
    const t = await api(`/api/topics/${encodeURIComponent(topic)}`);
    $('messages-partition').replaceChildren(...t.partitions.map((p) => Object.assign(el('option', p.partition), { value: String(p.partition) })));
  }
  show('messages');
  Object.assign(state, { topic, partition, records: page.records, offset: page.from, nextOffset: page.nextOffset, logStart: page.logStartOffset, highWatermark: page.highWatermark });
  $('messages-title').textContent = `${topic} / partition ${partition}`;
  $('messages-partition').value = String(partition);
  $('messages-offset').value = String(page.from);
  renderRecords();
  setStatus(`${page.records.length} records from offset ${page.from} (log start ${page.logStartOffset}, high watermark ${page.highWatermark})`);
}

/** Live follow: appends the records after the last one shown, keeping the newest `limit`. */
async function followMessages() {
  const limit = Number($('messages-limit').value) || 50;
  const page = await api(`/api/topics/${encodeURIComponent(state.topic)}/partitions/${state.partition}/records?offset=${state.nextOffset}&limit=${limit}`);
  state.records = [...state.records, ...page.records].slice(-limit);
  state.nextOffset = page.nextOffset;
  state.highWatermark = page.highWatermark;
  if (page.records.length > 0) renderRecords();
  setStatus(`Following: ${state.records.length} records shown, high watermark ${page.highWatermark}`);
}

async function showGroups() {
  const groups = await api('/api/groups');
  show('groups');
  const rows = [];
  for (const g of groups) {
    const name = () => wrap(link(g.groupId, `#group/${encodeURIComponent(g.groupId)}`));
    if (g.partitions.length === 0) rows.push(row(name(), cell(g.state), cell(g.type), cell(''), cell(''), cell(''), cell(''), cell('')));
    for (const p of g.partitions) rows.push(row(name(), cell(g.state), cell(g.type), cell(p.topic), num(p.partition), num(p.committed), num(p.highWatermark), num(p.lag)));
  }
  fillTable('group-table', rows);
  setStatus(`${groups.length} groups`);
}

/** A group the coordinator does not know: no members, no offsets, but offsets can be reset (which makes it). */
const unknownGroup = (groupId) => ({ groupId, state: 'Unknown (no committed offsets yet)', type: 'classic', protocolType: '', members: [], lag: 0, partitions: [] });

async function showGroup(groupId) {
  const described = api(`/api/groups/${encodeURIComponent(groupId)}`).catch((err) => {
    if (err.status === 404) return unknownGroup(groupId);
    throw err;
  });
  const [g, topics] = await Promise.all([described, state.group === groupId ? null : api('/api/topics')]);
  show('group');
  $('group-name').textContent = g.groupId;
  facts('group-facts', [
    ['State', g.state],
    ['Type', `${g.type} (${g.protocolType || 'no protocol'})`],
    ['Members', g.members.length],
    ['Total lag', g.lag],
  ]);
  fillTable(
    'member-table',
    g.members.map((m) => row(cell(m.memberId), cell(m.clientId), cell(m.clientHost), cell(m.assignment.map((a) => `${a.topic}: ${a.partitions.join(', ')}`).join('\n'), 'lines'))),
  );
  fillTable(
    'lag-table',
    g.partitions.map((p) => row(cell(p.topic), num(p.partition), num(p.committed), num(p.highWatermark), num(p.lag), cell(p.memberId ?? ''))),
  );
  if (topics !== null) {
    const committedTopics = new Set(g.partitions.map((p) => p.topic));
    const names = topics.filter((t) => !t.internal).map((t) => t.name).sort((a, b) => Number(committedTopics.has(b)) - Number(committedTopics.has(a)));
    $('reset-topic').replaceChildren(...names.map((n) => Object.assign(el('option', n), { value: n })));
  }
  state.group = groupId;
  setStatus(`${g.members.length} members, lag ${g.lag}`);
}

async function showClients() {
  const clients = await api('/api/clients');
  show('clients');
  fillTable(
    'client-table',
    clients.map((c) => row(num(c.connectionId), cell(c.clientId ?? ''), cell(c.softwareName ?? ''), cell(c.softwareVersion ?? ''), cell(c.address), cell(c.listener), cell(c.principal))),
  );
  setStatus(`${clients.length} connections`);
}

async function showTransactions() {
  const txns = await api('/api/transactions');
  show('transactions');
  fillTable(
    'transaction-table',
    txns.map((t) =>
      row(cell(t.transactionalId), cell(t.state), num(t.producerId), num(t.producerEpoch), cell(t.startTimeMs > 0 ? new Date(t.startTimeMs).toISOString() : ''), num(duration(t.timeoutMs)), cell(t.partitions.map((p) => `${p.topic}-${p.partition}`).join('\n'), 'lines')),
    ),
  );
  setStatus(`${txns.length} transactional ids`);
}

// ---- writes ----

async function write(action, done) {
  showError(null);
  try {
    const result = await action();
    await done(result);
  } catch (err) {
    showError(err);
  }
}

function deleteTopic(name) {
  if (!confirm(`Delete topic ${name} and all its records?`)) return;
  write(() => api(`/api/topics/${encodeURIComponent(name)}`, { method: 'DELETE' }), async () => {
    await showTopics();
    setStatus(`Deleted topic ${name}`);
  });
}

function createTopic() {
  const name = $('create-topic-name').value.trim();
  const body = { name, partitions: $('create-topic-partitions').value || null, replicationFactor: $('create-topic-replication').value || null, configs: Object.fromEntries(pairs($('create-topic-configs').value)) };
  write(() => api('/api/topics', { json: body }), async (created) => {
    $('create-topic-form').reset();
    await showTopics();
    setStatus(`Created topic ${created.name} with ${created.partitions} partitions`);
  });
}

function produce() {
  const key = $('produce-key').value;
  const body = { partition: state.partition, key: key === '' ? null : key, value: $('produce-value').value, headers: pairs($('produce-headers').value).map(([k, v]) => ({ key: k, value: v })) };
  write(() => api(`/api/topics/${encodeURIComponent(state.topic)}/records`, { json: body }), async (result) => {
    $('produce-form').reset();
    if ($('messages-follow').checked) await followMessages();
    else await showMessages(state.topic, state.partition, { offset: String(Math.max(state.logStart, result.offset - (Number($('messages-limit').value) || 50) + 1)) });
    setStatus(`Produced to ${result.topic}-${result.partition} at offset ${result.offset}`);
  });
}

function resetOffsets() {
  const to = $('reset-to').value;
  const body = { topic: $('reset-topic').value, to };
  if (to === 'offset') body.offset = Number($('reset-offset').value);
  if (to === 'timestamp') body.timestamp = timeOf($('reset-time'));
  write(() => api(`/api/groups/${encodeURIComponent(state.group)}/reset-offsets`, { json: body }), async (result) => {
    await showGroup(state.group);
    setStatus(`Reset ${result.offsets.map((o) => `${o.topic}-${o.partition} to ${o.offset}`).join(', ')}`);
  });
}

// ---- routing ----

function stopTimer() {
  clearInterval(state.timer);
  state.timer = null;
}

/** Runs `load` every `ms` while the view stays (errors show and the next round retries). */
function every(ms, load) {
  stopTimer();
  state.timer = setInterval(() => load().then(() => showError(null), showError), ms);
}

async function route() {
  const [view, ...args] = location.hash.slice(1).split('/').map(decodeURIComponent);
  stopTimer();
  stopCharts();
  showError(null);
  if (view !== 'messages') $('messages-follow').checked = false;
  try {
    if (state.view === null) state.writesEnabled = (await api('/api/cluster')).consoleWritesEnabled;
    state.view = view;
    if (view === 'topics') await showTopics();
    else if (view === 'topic') await showTopic(args[0]);
    else if (view === 'messages') {
      state.topic = null;
      await showMessages(args[0], Number(args[1] ?? 0));
    } else if (view === 'groups') {
      await showGroups();
      every(REFRESH_INTERVAL_MS, showGroups);
    } else if (view === 'group') {
      state.group = null;
      await showGroup(args[0]);
      every(REFRESH_INTERVAL_MS, () => showGroup(args[0]));
    } else if (view === 'clients') await showClients();
    else if (view === 'transactions') await showTransactions();
    else if (view === 'charts') {
      show('charts');
      startCharts({ bytes: $('chart-bytes'), messages: $('chart-messages'), requests: $('chart-requests') }, () => api('/api/stats'), setStatus);
    } else await showOverview();
  } catch (err) {
    showError(err);
    setStatus('');
  }
}

function browse(query) {
  write(() => showMessages(state.topic, Number($('messages-partition').value), query), () => {});
}

document.addEventListener('DOMContentLoaded', () => {
  $('create-topic-form').addEventListener('submit', (e) => {
    e.preventDefault();
    createTopic();
  });
  $('produce-form').addEventListener('submit', (e) => {
    e.preventDefault();
    produce();
  });
  $('reset-form').addEventListener('submit', (e) => {
    e.preventDefault();
    resetOffsets();
  });
  $('reset-to').addEventListener('change', () => {
    $('reset-offset').hidden = $('reset-to').value !== 'offset';
    $('reset-time').hidden = $('reset-to').value !== 'timestamp';
  });
  $('messages-from').addEventListener('change', () => {
    $('messages-offset').hidden = $('messages-from').value !== 'offset';
    $('messages-time').hidden = $('messages-from').value !== 'timestamp';
  });
  $('messages-form').addEventListener('submit', (e) => {
    e.preventDefault();
    browse($('messages-from').value === 'timestamp' ? { timestamp: String(timeOf($('messages-time'))) } : { offset: $('messages-offset').value });
  });
  $('messages-partition').addEventListener('change', () => browse({}));
  $('messages-format').addEventListener('change', renderRecords);
  $('messages-older').addEventListener('click', () => browse({ offset: String(Math.max(state.logStart, state.offset - (Number($('messages-limit').value) || 50))) }));
  $('messages-newer').addEventListener('click', () => browse({ offset: String(Math.min(state.highWatermark, state.nextOffset)) }));
  $('messages-follow').addEventListener('change', () => {
    if ($('messages-follow').checked) every(FOLLOW_INTERVAL_MS, followMessages);
    else stopTimer();
  });
  window.addEventListener('hashchange', route);
  route();
});
