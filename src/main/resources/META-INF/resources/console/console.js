// flashsale operator console: plain JS, no build, no third-party code (the page works offline).
// Every call carries the operator's bearer token. EventSource cannot send an Authorization
// header, so the live view reads the SSE stream with fetch() and parses text/event-stream itself.
'use strict';

const TOKEN_KEY = 'flashsale.operatorToken';
const HISTORY = 60;              // points per chart: one minute at one snapshot per second
const STALE_AFTER_MS = 3500;     // no snapshot for this long: the view says so
const PALETTE = ['#1b8a4b', '#2f6fdb', '#c0392b', '#b7791f', '#7d3cb5', '#12858f', '#6b7385', '#d35400'];

const $ = (id) => document.getElementById(id);
const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  saleId: null,
  stream: null,             // AbortController of the open live stream
  lastSnapshotAt: 0,
  series: {},               // name -> array of numbers (or null for "no value")
  answers: {},              // answer label -> array of per-second rates
  colors: {},               // answer label -> colour
  lastDead: null,
};

// ---------------------------------------------------------------- API calls

/** A problem+json answer as an Error carrying the problem document. */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : 'HTTP ' + status);
    this.status = status;
    this.problem = problem || {};
  }
}

async function api(method, path, body) {
  if (!state.token) throw new ApiError(401, { detail: 'paste an operator token first', code: 'UNAUTHENTICATED' });
  const headers = { Authorization: 'Bearer ' + state.token, Accept: 'application/json' };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function describe(error) {
  if (error instanceof ApiError) {
    const code = error.problem.code ? error.problem.code + ': ' : '';
    if (error.status === 401) return code + 'the token was refused (expired or not signed by the configured key)';
    if (error.status === 403) return code + 'this token has no operator role';
    return code + error.message;
  }
  return 'the service did not answer (' + error.message + ')';
}

// ---------------------------------------------------------------- token

function tokenClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part + '==='.slice((part.length + 3) % 4)));
  } catch (e) {
    return null;
  }
}

function showToken() {
  const claims = state.token ? tokenClaims(state.token) : null;
  const status = $('token-status');
  if (!state.token) {
    status.textContent = 'no token: paste one to start';
  } else if (!claims) {
    status.textContent = 'this does not look like a JWT';
  } else {
    const roles = (claims.groups || []).join(', ') || 'no roles';
    const exp = claims.exp ? new Date(claims.exp * 1000).toISOString().replace('.000', '') : 'no expiry';
    status.textContent = `${claims.upn || claims.sub} (${roles}), expires ${exp}`;
  }
}

function useToken(token) {
  state.token = token.trim();
  if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token); else sessionStorage.removeItem(TOKEN_KEY);
  $('token-input').value = '';
  showToken();
  loadSales();
  loadDead();
  if (state.saleId) watch(state.saleId);
}

// ---------------------------------------------------------------- sales list and form

function text(value) {
  return value === null || value === undefined ? '–' : String(value);
}

async function loadSales() {
  const body = $('sales-table').tBodies[0];
  try {
    const sales = await api('GET', '/api/sales?limit=50');
    body.replaceChildren(...sales.map(saleRow));
    $('sales-message').textContent = sales.length ? '' : 'no sales yet: create one below';
  } catch (e) {
    body.replaceChildren();
    $('sales-message').textContent = describe(e);
  }
}

function saleRow(sale) {
  const row = document.createElement('tr');
  row.dataset.saleId = sale.id;
  if (String(sale.id) === String(state.saleId)) row.className = 'selected';
  const cells = [sale.id, sale.title, sale.state || 'unknown', `${text(sale.available)} / ${sale.stock}`];
  cells.forEach((value, i) => {
    const cell = document.createElement('td');
    cell.textContent = value;
    if (i === 3) cell.className = 'num';
    row.appendChild(cell);
  });
  const action = document.createElement('td');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary watch';
  button.textContent = 'Watch';
  button.addEventListener('click', () => watch(sale.id));
  action.appendChild(button);
  row.appendChild(action);
  return row;
}

/** The watched sale's row in the list follows the live figures. */
function updateSaleRow(s) {
  const row = document.querySelector(`#sales-table tr[data-sale-id="${s.saleId}"]`);
  if (!row || !s.units) return;
  row.cells[2].textContent = s.state || 'unknown';
  row.cells[3].textContent = `${s.units.available} / ${s.stock}`;
}

const FORM_FIELDS = ['sku', 'title', 'priceCents', 'stock', 'startsAt', 'endsAt', 'paymentTimeoutSeconds'];
const NUMERIC = new Set(['priceCents', 'stock', 'paymentTimeoutSeconds']);

function isoSeconds(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function formBody() {
  const body = {};
  for (const name of FORM_FIELDS) {
    const raw = $('f-' + name).value.trim();
    if (raw === '') continue; // left out: the service names a missing required field
    // numbers go as numbers when they are numbers; anything else as typed, for the service to judge
    body[name] = NUMERIC.has(name) && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  return body;
}

async function createSale(event) {
  event.preventDefault();
  const error = $('create-error');
  const result = $('create-result');
  error.textContent = '';
  result.textContent = '';
  FORM_FIELDS.forEach((name) => $('f-' + name).classList.remove('invalid'));
  $('create-submit').disabled = true;
  try {
    const sale = await api('POST', '/api/sales', formBody());
    result.textContent = `Sale ${sale.id} created (${sale.stock} units, ${sale.state}).`;
    $('f-sku').value = 'SKU-' + Math.random().toString(36).slice(2, 8).toUpperCase();
    await loadSales();
    watch(sale.id);
  } catch (e) {
    error.textContent = describe(e);
    const field = e instanceof ApiError ? e.problem.field : null;
    if (field && $('f-' + field)) $('f-' + field).classList.add('invalid');
  } finally {
    $('create-submit').disabled = false;
  }
}

// ---------------------------------------------------------------- live view (SSE over fetch)

function watch(saleId) {
  if (state.stream) state.stream.abort();
  if (String(saleId) !== String(state.saleId)) resetCharts();
  state.saleId = saleId;
  document.querySelectorAll('#sales-table tbody tr').forEach((row) =>
    row.classList.toggle('selected', row.dataset.saleId === String(saleId)));
  $('live-sale').textContent = '#' + saleId;
  const controller = new AbortController();
  state.stream = controller;
  streamLoop(saleId, controller.signal);
}

async function streamLoop(saleId, signal) {
  let delay = 1000;
  while (!signal.aborted) {
    try {
      connection('connecting…', '');
      await readStream(`/api/ops/sales/${encodeURIComponent(saleId)}/live`, signal, (name, data) => {
        if (name === 'snapshot') {
          delay = 1000;
          try {
            render(JSON.parse(data));
          } catch (e) {
            console.error('snapshot not shown', e, data); // one bad snapshot must not end the stream
          }
        }
      });
      if (!signal.aborted) connection('stream ended, reconnecting…', 'down');
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && [400, 401, 403, 404].includes(e.status)) {
        connection(describe(e), 'down');
        return; // retrying cannot help: a new token or another sale is needed
      }
      console.error('live stream of sale ' + saleId, e);
      connection('disconnected (' + describe(e) + '), reconnecting…', 'down');
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 8000);
  }
}

/** Reads a text/event-stream answer, calling onEvent(name, data) per event, until it ends. */
async function readStream(path, signal, onEvent) {
  const response = await fetch(path, {
    headers: { Authorization: 'Bearer ' + state.token, Accept: 'text/event-stream' },
    signal,
    cache: 'no-store',
  });
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch (e) { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  connection('live', 'live');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let name = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue; // comment / keep-alive
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = val;
        else if (field === 'data') data.push(val);
      }
      if (data.length) onEvent(name, data.join('\n'));
    }
  }
}

function connection(message, cls) {
  const el = $('live-connection');
  el.textContent = message;
  el.className = cls;
}

function setOutput(id, value) {
  $(id).textContent = value;
}

function fixed(value, digits) {
  return value === null || value === undefined ? '–' : Number(value).toFixed(digits);
}

function render(s) {
  state.lastSnapshotAt = Date.now();
  connection('live', 'live');
  $('live-sale').textContent = `#${s.saleId} ${s.title} (${s.sku})`;
  const badge = $('live-state');
  badge.textContent = s.state || 'unknown';
  badge.className = 'badge ' + (s.state || '');
  setOutput('live-updated', new Date(s.at).toISOString().slice(11, 19) + ' UTC');
  updateSaleRow(s);

  const u = s.units;
  setOutput('live-available', u ? `${u.available}` : '–');
  setOutput('live-reserved', u ? `${u.reserved}` : '–');
  setOutput('live-paid', u ? `${u.paid}` : '–');
  setOutput('live-waitlist', u ? `${u.waitlistLength}` : '–');
  push('available', u ? u.available : null);
  push('reserved', u ? u.reserved : null);
  push('paid', u ? u.paid : null);
  push('waitlist', u ? u.waitlistLength : null);

  const p = s.purchases;
  const measured = p.intervalSeconds > 0; // a stream's first snapshot has totals but no rates yet
  const total = Object.values(p.perSecond).reduce((a, b) => a + b, 0);
  setOutput('live-rate', measured ? fixed(total, 1) : '–');
  setOutput('live-p50', fixed(p.p50Millis, p.p50Millis !== null && p.p50Millis < 10 ? 2 : 1));
  setOutput('live-p99', fixed(p.p99Millis, p.p99Millis !== null && p.p99Millis < 10 ? 2 : 1));
  push('p99', p.p99Millis);
  renderAnswers(p, measured);

  const w = s.writer;
  setOutput('live-queue', String(w.queued));
  setOutput('live-batch', fixed(w.meanBatchSize, 1));
  setOutput('live-batches', measured ? fixed(w.batchesPerSecond, 1) : '–');
  push('batch', measured ? w.meanBatchSize : null);

  const o = s.outbox;
  setOutput('outbox-unpublished', o ? String(o.unpublished) : '–');
  setOutput('outbox-lag', o ? (o.oldestUnpublishedAgeMillis / 1000).toFixed(1) + ' s' : '–');
  setOutput('outbox-dead', o ? String(o.dead) : '–');
  push('lag', o ? o.oldestUnpublishedAgeMillis / 1000 : null);
  if (o && o.dead !== state.lastDead) {
    state.lastDead = o.dead;
    loadDead(); // the list follows the count without polling
  }

  const hot = s.hotKeys;
  $('hotkeys').textContent = hot.flags.length ? hot.flags.join(', ')
    : hot.detection ? 'none detected' : 'none detected (hot-key detection is not enabled on this server)';

  const problems = $('live-problems');
  if (s.problems.length) {
    problems.replaceChildren(...s.problems.map((t) => Object.assign(document.createElement('li'), { textContent: t })));
  } else {
    problems.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'none', className: 'muted' }));
  }
  drawAll();
}

function renderAnswers(p, measured) {
  const labels = new Set([...Object.keys(p.totals), ...Object.keys(state.answers)]);
  for (const label of labels) {
    if (!state.answers[label]) {
      state.answers[label] = new Array(seriesLength()).fill(null);
      state.colors[label] = colorFor(label);
    }
    state.answers[label].push(measured ? p.perSecond[label] ?? 0 : null);
    trim(state.answers[label]);
  }
  const body = $('answers-table').tBodies[0];
  body.replaceChildren(...[...labels].sort().map((label) => {
    const row = document.createElement('tr');
    row.dataset.code = label;
    const name = document.createElement('td');
    const swatch = document.createElement('span');
    swatch.className = 'legend';
    swatch.style.background = state.colors[label];
    name.append(swatch, label);
    const rate = Object.assign(document.createElement('td'),
      { className: 'num rate', textContent: measured ? fixed(p.perSecond[label] ?? 0, 1) : '–' });
    const total = Object.assign(document.createElement('td'), { className: 'num total', textContent: String(p.totals[label] ?? 0) });
    row.append(name, rate, total);
    return row;
  }));
}

function colorFor(label) {
  if (label.startsWith('201')) return PALETTE[0];
  if (label.startsWith('202')) return PALETTE[1];
  if (label.startsWith('5')) return PALETTE[2];
  const used = new Set(Object.values(state.colors));
  return PALETTE.slice(3).find((c) => !used.has(c)) || PALETTE[6];
}

// ---------------------------------------------------------------- charts (hand-rolled SVG)

function seriesLength() {
  const any = Object.values(state.series)[0];
  return any ? any.length - 1 : 0;
}

function push(name, value) {
  const series = state.series[name] || (state.series[name] = []);
  series.push(value === undefined ? null : value);
  trim(series);
}

function trim(series) {
  while (series.length > HISTORY) series.shift();
}

function resetCharts() {
  state.series = {};
  state.answers = {};
  state.colors = {};
  state.lastDead = null;
  $('answers-table').tBodies[0].replaceChildren();
  drawAll();
}

function drawAll() {
  document.querySelectorAll('svg.spark').forEach((svg) => {
    const name = svg.dataset.series;
    draw(svg, [{ values: state.series[name] || [], color: PALETTE[1], area: true }]);
  });
  draw($('answers-chart'), Object.keys(state.answers).sort().map((label) =>
    ({ values: state.answers[label], color: state.colors[label], area: false })));
}

/**
 * Lines over the points kept (up to HISTORY, the newest at the right edge, spread over the whole
 * width), y from 0 to the largest value shown; gaps where null.
 */
function draw(svg, lines) {
  const width = 300;
  const height = 60;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  let max = 0;
  for (const line of lines) for (const v of line.values) if (v !== null && v > max) max = v;
  max = max > 0 ? max * 1.1 : 1;
  const ns = 'http://www.w3.org/2000/svg';
  const shapes = [];
  const points = Math.max(2, ...lines.map((line) => line.values.length));
  for (const line of lines) {
    const offset = points - line.values.length;
    let run = [];
    const runs = [];
    line.values.forEach((v, i) => {
      if (v === null) {
        if (run.length) runs.push(run);
        run = [];
        return;
      }
      const x = ((offset + i) / (points - 1)) * width;
      const y = height - 1 - (v / max) * (height - 2);
      run.push([x, y]);
    });
    if (run.length) runs.push(run);
    for (const run of runs) {
      const path = run.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
      if (line.area && run.length > 1) {
        const area = document.createElementNS(ns, 'polygon');
        area.setAttribute('points', `${run[0][0].toFixed(1)},${height} ${path} ${run[run.length - 1][0].toFixed(1)},${height}`);
        area.setAttribute('class', 'area');
        area.setAttribute('fill', line.color);
        shapes.push(area);
      }
      const polyline = document.createElementNS(ns, 'polyline');
      polyline.setAttribute('points', run.length === 1 ? `${path} ${path}` : path);
      polyline.setAttribute('stroke', line.color);
      shapes.push(polyline);
    }
  }
  svg.replaceChildren(...shapes);
}

// ---------------------------------------------------------------- DEAD outbox events

async function loadDead() {
  const body = $('dead-table').tBodies[0];
  const message = $('dead-message');
  try {
    const events = await api('GET', '/api/ops/outbox/dead?limit=100');
    body.replaceChildren(...events.map(deadRow));
    message.textContent = events.length ? '' : 'no DEAD events: every event was delivered or is still being tried';
    $('dead-requeue-all').disabled = events.length === 0;
  } catch (e) {
    body.replaceChildren();
    message.textContent = describe(e);
  }
}

function deadRow(event) {
  const row = document.createElement('tr');
  row.dataset.eventId = event.eventId;
  const cells = [
    Object.assign(document.createElement('td'), { innerHTML: '<code></code>' }),
    Object.assign(document.createElement('td'), { textContent: event.type }),
    Object.assign(document.createElement('td'), { className: 'num', textContent: String(event.attempts) }),
    Object.assign(document.createElement('td'), { className: 'error-text', textContent: event.lastError || '' }),
    Object.assign(document.createElement('td'), { textContent: event.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') }),
  ];
  cells[0].firstChild.textContent = event.eventId;
  const action = document.createElement('td');
  const button = Object.assign(document.createElement('button'), { type: 'button', className: 'requeue', textContent: 'Requeue' });
  button.addEventListener('click', () => requeue(`/api/ops/outbox/${encodeURIComponent(event.eventId)}/requeue`, button));
  action.appendChild(button);
  row.append(...cells, action);
  return row;
}

async function requeue(path, button) {
  button.disabled = true;
  let note;
  try {
    const answer = await api('POST', path);
    note = `requeued ${answer.requeued} event(s): the relay delivers them now`;
  } catch (e) {
    note = describe(e);
  }
  await loadDead();
  $('dead-message').textContent = note;
}

// ---------------------------------------------------------------- wiring

function defaultWindow() {
  const now = Date.now();
  $('f-startsAt').value = isoSeconds(new Date(now));
  $('f-endsAt').value = isoSeconds(new Date(now + 3600 * 1000));
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  useToken($('token-input').value);
});
$('token-forget').addEventListener('click', () => {
  if (state.stream) state.stream.abort();
  connection('not connected', '');
  useToken('');
});
$('sales-refresh').addEventListener('click', loadSales);
$('create-form').addEventListener('submit', createSale);
$('dead-refresh').addEventListener('click', loadDead);
$('dead-requeue-all').addEventListener('click', (e) => requeue('/api/ops/outbox/dead/requeue', e.target));
setInterval(() => {
  if (state.stream && !state.stream.signal.aborted && state.lastSnapshotAt
      && Date.now() - state.lastSnapshotAt > STALE_AFTER_MS && $('live-connection').className !== 'down') {
    connection(`no update for ${Math.round((Date.now() - state.lastSnapshotAt) / 1000)} s`, 'down');
  }
}, 1000);

defaultWindow();
showToken();
drawAll();
if (state.token) {
  loadSales();
  loadDead();
}
