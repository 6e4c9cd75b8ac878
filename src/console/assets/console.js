// Creek's web console: topics, a record browser and consumer groups, read from /api. Every value
// from the broker is put into the page as text (textContent), never as markup, so a record that
// holds HTML or a script shows as the characters it holds.

const $ = (id) => document.getElementById(id);
const state = { topic: null, partition: 0, offset: 0, limit: 50, logStart: 0, highWatermark: 0 };

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function bytesCell(shown) {
  if (shown === null) return cell('null', 'bytes null');
  return cell(shown.text, shown.encoding === 'base64' ? 'bytes base64' : 'bytes');
}

function row(...cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function setStatus(text) {
  $('status').textContent = text;
}

function show(view) {
  for (const id of ['topics', 'messages', 'groups']) $(id).hidden = id !== view;
  for (const a of document.querySelectorAll('nav a[data-view]')) a.classList.toggle('active', a.dataset.view === view);
}

async function showTopics() {
  show('topics');
  const topics = await getJson('/api/topics');
  const body = $('topic-table').tBodies[0];
  body.replaceChildren();
  for (const t of topics) {
    for (const p of t.partitions) {
      const browse = document.createElement('a');
      browse.textContent = 'Browse';
      browse.href = `#messages/${encodeURIComponent(t.name)}/${p.partition}`;
      const actions = document.createElement('td');
      actions.append(browse);
      body.append(row(cell(t.name), cell(String(p.partition), 'num'), cell(String(p.logStartOffset), 'num'), cell(String(p.highWatermark), 'num'),
        cell(String(p.highWatermark - p.logStartOffset), 'num'), cell(String(p.size), 'num'), actions));
    }
  }
  setStatus(`${topics.length} topics`);
}

async function showMessages(topic, partition, offset) {
  show('messages');
  state.topic = topic;
  state.partition = partition;
  const query = new URLSearchParams({ limit: String(state.limit) });
  if (offset !== undefined) query.set('offset', String(offset));
  const page = await getJson(`/api/topics/${encodeURIComponent(topic)}/partitions/${partition}/records?${query}`);
  state.logStart = page.logStartOffset;
  state.highWatermark = page.highWatermark;
  state.offset = page.records.length > 0 ? page.records[0].offset : Math.max(page.logStartOffset, offset ?? page.logStartOffset);
  $('messages-title').textContent = `${topic} / partition ${partition}`;
  $('messages-offset').value = String(state.offset);
  const body = $('message-table').tBodies[0];
  body.replaceChildren();
  for (const r of page.records) {
    const headers = r.headers.map((h) => `${h.key}=${h.value === null ? 'null' : h.value.text}`).join('\n');
    body.append(row(cell(String(r.offset), 'num'), cell(new Date(r.timestamp).toISOString()), bytesCell(r.key), bytesCell(r.value), cell(headers, 'bytes')));
  }
  setStatus(`${page.records.length} records from offset ${state.offset} (log start ${page.logStartOffset}, high watermark ${page.highWatermark})`);
}

async function showGroups() {
  show('groups');
  const groups = await getJson('/api/groups');
  const body = $('group-table').tBodies[0];
  body.replaceChildren();
  for (const g of groups) {
    if (g.partitions.length === 0) body.append(row(cell(g.groupId), cell(g.state), cell(''), cell(''), cell(''), cell(''), cell('')));
    for (const p of g.partitions) {
      body.append(row(cell(g.groupId), cell(g.state), cell(p.topic), cell(String(p.partition), 'num'), cell(String(p.committed), 'num'),
        cell(String(p.highWatermark), 'num'), cell(String(p.lag), 'num')));
    }
  }
  setStatus(`${groups.length} groups`);
}

async function route() {
  const [view, topic, partition] = location.hash.slice(1).split('/');
  try {
    if (view === 'messages' && topic !== undefined) await showMessages(decodeURIComponent(topic), Number(partition ?? 0));
    else if (view === 'groups') await showGroups();
    else await showTopics();
  } catch (err) {
    setStatus(`Could not load: ${err.message}`);
  }
}

function page(offset) {
  showMessages(state.topic, state.partition, offset).catch((err) => setStatus(`Could not load: ${err.message}`));
}

document.addEventListener('DOMContentLoaded', () => {
  $('messages-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.limit = Number($('messages-limit').value) || 50;
    page(Number($('messages-offset').value));
  });
  $('messages-older').addEventListener('click', () => page(Math.max(state.logStart, state.offset - state.limit)));
  $('messages-newer').addEventListener('click', () => page(Math.min(state.highWatermark, state.offset + state.limit)));
  window.addEventListener('hashchange', route);
  route();
});
