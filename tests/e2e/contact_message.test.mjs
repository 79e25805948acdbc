// Secure messaging in a real browser and over HTTP: a patient writes to
// their doctor with an attachment, the doctor reads it and answers with a
// quick reply, the patient sees the answer and the unread counts on the
// home page; axe-core on every message page at 360 px and on a desktop,
// in English and Spanish; bad input (a file too large or in disguise,
// someone outside the care team, another patient's thread, no CSRF
// token, an overlong message, a caregiver who may only read) gets a
// clear 4xx and changes nothing; and kill -9 while many messages are
// sent: every acknowledged message is there with its touchpoint and its
// outbox row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  binary, serveOn, startServer, launchBrowser, newPage, signIn, checkA11y,
  patientId, query, snapshot, Client,
} from './lib.mjs';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077' +
  '53de0000000c4944415478 9c63f8cfc00000030101 00c9fe92ef0000000049454e44ae426082'.replace(/ /g, ''), 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const HTML = Buffer.from('<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n');
const MAX_KB = 64;

let server, browser, pid;
before(async () => {
  server = await startServer({ extraEnv: { COCARE_ATTACHMENT_MAX_KB: String(MAX_KB) } });
  browser = await launchBrowser();
  pid = patientId(server);
});
after(async () => { await browser?.close(); await server?.stop(); });

function one(sql) {
  const rows = query(server, sql);
  assert.ok(rows.length, `no row for ${sql}`);
  return rows[0].v;
}

// The message tables and the outbox, beside lib.mjs's snapshot.
function snap() {
  const tables = ['message_thread', 'message', 'message_read', 'message_attachment',
    'message_template', 'outbox'];
  const sql = tables.map((t) => `SELECT '${t}'; SELECT * FROM ${t} ORDER BY 1;`).join(' ');
  return snapshot(server) + execFileSync('sqlite3', ['-readonly', join(server.dir, 'cocare.db'), sql],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
}

// Fails with the lines only one side has, rather than two whole dumps.
function sameSnapshot(after, before, label) {
  const a = after.split('\n'), b = before.split('\n');
  const inA = new Set(a), inB = new Set(b);
  assert.deepEqual({ added: a.filter((l) => !inB.has(l)), removed: b.filter((l) => !inA.has(l)) },
    { added: [], removed: [] }, label);
}

function accountId(username) {
  return one(`SELECT CAST(id AS TEXT) AS v FROM account WHERE username = '${username}'`);
}

// A multipart form with the page's hidden fields, `fields` and a file.
function form(fields, file) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  if (file) fd.set('file', new Blob([file.data], { type: file.type }), file.name);
  return fd;
}

function hidden(html, name) {
  const m = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
  assert.ok(m, `no ${name} in the page`);
  return m[1];
}

test('a patient writes with an attachment, the doctor answers with a quick reply, the patient sees it', async () => {
  const doctor = accountId('doctor');
  // The patient: Messages in the navigation, a new message to the doctor.
  const pp = await newPage(browser);
  await signIn(pp, server.url, 'patient');
  await pp.getByRole('link', { name: 'Messages', exact: true }).first().click();
  await pp.getByRole('link', { name: 'Write a new message' }).click();
  await pp.locator(`input[name="to"][value="person:${doctor}"]`).check();
  await pp.locator('#subject').fill('Blood test letter');
  await pp.locator('#body').fill('I got this letter.\nWhat does it mean?');
  await pp.locator('#file').setInputFiles({ name: 'letter.png', mimeType: 'image/png', buffer: PNG });
  await pp.getByRole('button', { name: 'Send the message' }).click();
  await pp.waitForLoadState('domcontentloaded');
  assert.match(await pp.textContent('body'), /Your message is sent\./);
  assert.match(await pp.textContent('main'), /letter\.png/);
  const thread = pp.url().match(/\/messages\/(\d+)/)[1];
  assert.equal(one(`SELECT COUNT(*) AS v FROM message WHERE thread_id = ${thread}`), 1);
  assert.equal(one(`SELECT COUNT(*) AS v FROM outbox WHERE link = '/messages/${thread}' AND account_id = ${doctor}`), 1);
  assert.equal(one(`SELECT COUNT(*) AS v FROM touchpoint WHERE kind = 'message' AND patient_id = ${pid}`) >= 1, true);
  // Not read yet.
  assert.equal(await pp.locator('li.mine .tag', { hasText: 'Read' }).count(), 0);

  // The doctor: a quick reply, the thread among the unread, the file.
  const dp = await newPage(browser);
  await signIn(dp, server.url, 'doctor');
  await dp.goto(server.url + '/messages/templates');
  await dp.locator('#title').fill('Results normal (test)');
  await dp.locator('#body').fill('Your results are normal. Nothing to do for now.');
  await dp.getByRole('button', { name: 'Save the quick reply' }).click();
  await dp.waitForLoadState('domcontentloaded');
  assert.match(await dp.textContent('main'), /Results normal \(test\)/);
  await dp.goto(server.url + '/messages');
  const row = dp.locator('tr', { hasText: 'Blood test letter' });
  assert.match(await row.textContent(), /1 new message/);
  await row.getByRole('link').click();
  await dp.waitForLoadState('domcontentloaded');
  assert.match(await dp.textContent('main'), /What does it mean\?/);
  const href = await dp.locator('a', { hasText: 'letter.png' }).getAttribute('href');
  const file = await dp.request.get(server.url + href);
  assert.equal(file.status(), 200);
  assert.equal(file.headers()['content-type'], 'image/png');
  assert.match(file.headers()['content-disposition'], /^attachment; filename="letter\.png"$/);
  assert.equal(file.headers()['x-content-type-options'], 'nosniff');
  assert.deepEqual(Buffer.from(await file.body()), PNG);
  await dp.getByRole('link', { name: 'Results normal (test)' }).click();
  await dp.waitForLoadState('domcontentloaded');
  assert.equal(await dp.locator('#body').inputValue(), 'Your results are normal. Nothing to do for now.');
  await dp.getByRole('button', { name: 'Send the reply' }).click();
  await dp.waitForLoadState('domcontentloaded');
  assert.match(await dp.textContent('body'), /Your message is sent\./);
  assert.ok(Number(one(`SELECT first_reply_at AS v FROM message_thread WHERE id = ${thread}`)) > 0);
  // The doctor's list: nothing new left.
  await dp.goto(server.url + '/messages');
  assert.doesNotMatch(await dp.locator('tr', { hasText: 'Blood test letter' }).textContent(), /new message/);

  // The patient: the new messages first on the home page, then read.
  const unread = async () => {
    await pp.goto(server.url + '/');
    const main = await pp.textContent('main');
    const m = main.match(/You have (\d+) new messages? from your care team\./);
    if (!m) { assert.match(main, /No new messages\./); return 0; }
    assert.ok(main.indexOf(m[0]) < main.indexOf('crisis plan'), 'messages come first');
    return Number(m[1]);
  };
  const before = await unread();
  assert.ok(before >= 1);
  await pp.goto(server.url + '/messages');
  const first = await pp.locator('tbody tr').first().textContent();
  assert.match(first, /new message/, 'threads with new messages come first');
  await pp.locator('tr', { hasText: 'Blood test letter' }).getByRole('link').click();
  await pp.waitForLoadState('domcontentloaded');
  assert.match(await pp.textContent('main'), /Your results are normal/);
  assert.equal(await pp.locator('li.mine .tag', { hasText: 'Read' }).count(), 1);
  assert.equal(await unread(), before - 1);

  // The doctor makes the message a care-plan action, through the plan.
  await dp.goto(server.url + `/messages/${thread}`);
  await dp.getByRole('link', { name: 'Make this a care-plan action' }).first().click();
  await dp.waitForLoadState('domcontentloaded');
  assert.match(await dp.locator('#text').inputValue(), /I got this letter\./);
  await dp.getByRole('button', { name: 'Propose the action' }).click();
  await dp.waitForLoadState('domcontentloaded');
  assert.match(dp.url(), new RegExp(`/patients/${pid}/plan/items/\\d+`));
  assert.equal(one(`SELECT COUNT(*) AS v FROM care_item WHERE source = 'message:${thread}' AND kind = 'action'`), 1);
  await pp.context().close();
  await dp.context().close();
});

function pages(user) {
  const thread = one(`SELECT CAST(id AS TEXT) AS v FROM message_thread WHERE patient_id = ${pid} ORDER BY last_message_at DESC LIMIT 1`);
  const list = ['/messages', `/messages/${thread}`];
  if (user === 'patient') list.push('/', '/messages/new');
  else list.push('/messages/templates', `/patients/${pid}/messages/new`, `/patients/${pid}`);
  return list;
}

for (const locale of ['en-GB', 'es-ES']) {
  for (const user of ['patient', 'doctor']) {
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 900 }]) {
      test(`message pages pass axe-core for the ${user} (${locale}, ${viewport.width} px)`, async () => {
        const page = await newPage(browser, { locale, viewport });
        await signIn(page, server.url, user);
        for (const path of pages(user)) {
          const res = await page.goto(server.url + path);
          assert.equal(res.status(), 200, `${user} ${path}`);
          await checkA11y(page, `${user} ${locale} ${viewport.width} ${path}`);
          if (locale === 'es-ES')
            assert.equal(await page.getAttribute('html', 'lang'), 'es', path);
          // Nothing wider than a small phone.
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(wide <= viewport.width, `${path} is ${wide} px wide at ${viewport.width}`);
          if (viewport.width === 360) {
            await page.setViewportSize({ width: 320, height: 640 });
            const narrow = await page.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(narrow <= 320, `${path} is ${narrow} px wide at 320`);
            await page.setViewportSize(viewport);
          }
        }
        await page.context().close();
      });
    }
  }
}

test('bad input gets a clear 4xx and changes nothing', async () => {
  const doctor = accountId('doctor');
  // A professional of the organisation who is not on María's team.
  const outsider = one(`SELECT CAST(a.id AS TEXT) AS v FROM account a WHERE a.role = 'professional'
    AND a.id NOT IN (SELECT account_id FROM care_team_member WHERE patient_id = ${pid}) LIMIT 1`);
  // Another patient's thread, started by the doctor.
  const other = one(`SELECT CAST(patient_id AS TEXT) AS v FROM care_team_member WHERE account_id = ${doctor}
    AND patient_id <> ${pid} LIMIT 1`);
  const dc = new Client(server.url);
  await dc.signIn('doctor');
  let page = await dc.request(`/patients/${other}/messages/new`);
  assert.equal(page.status, 200);
  let r = await dc.request(`/patients/${other}/messages/new`, {
    method: 'POST',
    body: form({ csrf: hidden(page.text_, 'csrf'), request_key: hidden(page.text_, 'request_key'),
      subject: 'About your visit', body: 'See you on Monday.' }),
  });
  assert.equal(r.status, 303);
  const otherThread = r.headers.get('location').match(/\/messages\/(\d+)/)[1];

  const pc = new Client(server.url);
  await pc.signIn('patient');
  page = await pc.request('/messages/new');
  const csrf = hidden(page.text_, 'csrf');
  const mine = one(`SELECT CAST(id AS TEXT) AS v FROM message_thread WHERE patient_id = ${pid} LIMIT 1`);
  let n = 0;
  const key = () => `bad-input-key-${Date.now()}-${++n}`;
  const before = snap();
  const cases = [
    ['a file over the limit', `/messages/${mine}`, 413,
      { csrf, request_key: key(), body: 'Here is a big scan' },
      { name: 'big.pdf', type: 'application/pdf', data: Buffer.concat([PDF, Buffer.alloc(MAX_KB * 1024)]) }],
    ['a web page named .pdf', `/messages/${mine}`, 415,
      { csrf, request_key: key(), body: 'My letter' }, { name: 'letter.pdf', type: 'application/pdf', data: HTML }],
    ['a program named .png', `/messages/${mine}`, 415,
      { csrf, request_key: key(), body: 'A photo' },
      { name: 'photo.png', type: 'image/png', data: execFileSync('head', ['-c', '4096', binary]) }],
    ['someone outside the care team', '/messages/new', 403,
      { csrf, request_key: key(), to: `person:${outsider}`, subject: 'Hello', body: 'Hello' }],
    ['a unit that is not the team\'s', '/messages/new', 403,
      { csrf, request_key: key(), to: 'unit:12345', subject: 'Hello', body: 'Hello' }],
    ['another patient\'s thread', `/messages/${otherThread}`, 403,
      { csrf, request_key: key(), body: 'Hello' }],
    ['no CSRF token', `/messages/${mine}`, 403, { request_key: key(), body: 'Hello' }],
    ['a wrong CSRF token', `/messages/${mine}`, 403, { csrf: 'a'.repeat(64), request_key: key(), body: 'Hello' }],
    ['an overlong message', `/messages/${mine}`, 400, { csrf, request_key: key(), body: 'x'.repeat(5001) }],
    ['an empty message', `/messages/${mine}`, 400, { csrf, request_key: key(), body: '   ' }],
    ['a missing request key', `/messages/${mine}`, 400, { csrf, body: 'Hello' }],
    ['no subject', '/messages/new', 400, { csrf, request_key: key(), to: 'team', subject: '', body: 'Hello' }],
    ['a thread that is not there', '/messages/999999', 404, { csrf, request_key: key(), body: 'Hello' }],
  ];
  for (const [what, path, status, fields, file] of cases) {
    r = await pc.request(path, { method: 'POST', body: form(fields, file) });
    assert.equal(r.status, status, `${what}: ${r.status}`);
  }
  // The form keeps what was typed, with the reason.
  r = await pc.request(`/messages/${mine}`, { method: 'POST',
    body: form({ csrf, request_key: key(), body: 'Keep this text' }, { name: 'x.pdf', type: 'application/pdf', data: HTML }) });
  assert.match(r.text_, /Keep this text/);
  assert.match(r.text_, /This kind of file cannot be sent/);
  // Reading another patient's thread or file.
  assert.equal((await pc.request(`/messages/${otherThread}`)).status, 403);
  const file = one(`SELECT CAST(id AS TEXT) AS v FROM message_attachment LIMIT 1`);
  assert.equal((await pc.request(`/messages/${otherThread}/attachments/${file}`)).status, 403);
  // A file through a thread that is not its own.
  assert.equal((await pc.request(`/messages/${mine}/attachments/${file}`)).status,
    query(server, `SELECT 1 AS v FROM message_attachment WHERE id = ${file} AND thread_id = ${mine}`).length ? 200 : 404);
  // Quick replies are for staff.
  assert.equal((await pc.request('/messages/templates')).status, 403);
  assert.equal((await pc.post('/messages/templates', { csrf, title: 'Mine', body: 'x' })).status, 403);

  // A caregiver who may only read messages.
  const cc = new Client(server.url);
  await cc.signIn('caregiver');
  execFileSync('sqlite3', [join(server.dir, 'cocare.db'),
    `UPDATE caregiver_grant SET scopes = ${16597 | 256} WHERE caregiver_id = ${accountId('caregiver')}`]);
  const snapCarer = snap();
  assert.equal((await cc.request(`/messages/${mine}`)).status, 200);
  const ccsrf = await cc.csrf('/messages');
  for (const [path, fields] of [[`/messages/${mine}`, { body: 'From the carer' }],
    [`/messages/new?patient=${pid}`, { to: 'team', subject: 'Hi', body: 'From the carer' }]]) {
    r = await cc.request(path, { method: 'POST', body: form({ csrf: ccsrf, request_key: key(), ...fields }) });
    assert.equal(r.status, 403, `read-only caregiver posting to ${path}`);
  }
  // The caregiver's reads changed message_read only (read marks).
  const strip = (x) => x.replace(/message_read\n[\s\S]*?message_attachment\n/, '');
  sameSnapshot(strip(snap()), strip(snapCarer), 'the read-only caregiver changed something');
  // The bad input before changed nothing but the grant the test widened.
  const grants = (x) => x.replace(/caregiver_grant\n[\s\S]*?break_glass\n/, '');
  sameSnapshot(grants(snapCarer), grants(before), 'bad input changed something');
});

test('without JavaScript at 320 px: write, choose a quick reply, answer', async () => {
  const opts = { javaScriptEnabled: false, viewport: { width: 320, height: 640 } };
  const pp = await newPage(browser, opts);
  await signIn(pp, server.url, 'patient');
  await pp.goto(server.url + '/messages/new');
  await pp.locator('input[name="to"][value="team"]').check();
  await pp.locator('#subject').fill('No script here');
  await pp.locator('#body').fill('Written without JavaScript.');
  await pp.getByRole('button', { name: 'Send the message' }).click();
  await pp.waitForLoadState('domcontentloaded');
  const thread = pp.url().match(/\/messages\/(\d+)/)[1];
  const dp = await newPage(browser, opts);
  await signIn(dp, server.url, 'doctor');
  await dp.goto(`${server.url}/messages/${thread}`);
  await dp.locator('#reply a', { hasText: 'Please book a visit' }).click();
  await dp.waitForLoadState('domcontentloaded');
  assert.match(await dp.locator('#body').inputValue(), /please book a visit/);
  await dp.getByRole('button', { name: 'Send the reply' }).click();
  await dp.waitForLoadState('domcontentloaded');
  assert.equal(one(`SELECT COUNT(*) AS v FROM message WHERE thread_id = ${thread} AND author_side = 'staff'`), 1);
  await pp.context().close();
  await dp.context().close();
});

test('a message sent twice is stored once and answered the same', async () => {
  const pc = new Client(server.url);
  await pc.signIn('patient');
  const page = await pc.request('/messages/new');
  const fields = { csrf: hidden(page.text_, 'csrf'), request_key: hidden(page.text_, 'request_key'),
    to: 'team', subject: 'Twice', body: 'Sent twice by a double click' };
  const [a, b] = await Promise.all([
    pc.request('/messages/new', { method: 'POST', body: form(fields) }),
    pc.request('/messages/new', { method: 'POST', body: form(fields) }),
  ]);
  assert.equal(a.status, 303);
  assert.equal(b.status, 303);
  assert.equal(a.headers.get('location'), b.headers.get('location'));
  assert.equal(one(`SELECT COUNT(*) AS v FROM message WHERE request_key = '${fields.request_key}'`), 1);
  assert.equal(one(`SELECT COUNT(*) AS v FROM message_thread WHERE subject = 'Twice'`), 1);
});

test('staff make a patient\'s message a request in the triage queue, once; a patient may not', async () => {
  const pc = new Client(server.url);
  await pc.signIn('patient');
  const page = await pc.request('/messages/new');
  const sent = await pc.request('/messages/new', { method: 'POST', body: form({
    csrf: hidden(page.text_, 'csrf'), request_key: hidden(page.text_, 'request_key'),
    to: 'team', subject: 'Rash on my arm', body: 'A red rash came up on my arm yesterday.' }) });
  assert.equal(sent.status, 303);
  const thread = sent.headers.get('location').match(/\/messages\/(\d+)/)[1];
  const from = query(server, `SELECT CAST(id AS TEXT) AS id FROM message WHERE thread_id = ${thread}`)[0].id;
  const before = one("SELECT COUNT(*) AS v FROM consultation");
  // The patient sees no such form and is refused.
  assert.ok(!(await pc.request(`/messages/${thread}`)).text_.includes('/request"'));
  const pcsrf = hidden((await pc.request(`/messages/${thread}`)).text_, 'csrf');
  assert.equal((await pc.post(`/messages/${thread}/request`, { csrf: pcsrf, kind: 'new_problem', from })).status, 403);
  const dc = new Client(server.url);
  await dc.signIn('doctor');
  const view = await dc.request(`/messages/${thread}`);
  assert.ok(view.text_.includes(`/messages/${thread}/request`), 'the doctor sees the form');
  const csrf = hidden(view.text_, 'csrf');
  assert.equal((await dc.post(`/messages/${thread}/request`, { csrf, kind: 'no_such_kind', from })).status, 400);
  assert.equal(one("SELECT COUNT(*) AS v FROM consultation"), before);
  const a = await dc.post(`/messages/${thread}/request`, { csrf, kind: 'new_problem', from });
  const b = await dc.post(`/messages/${thread}/request`, { csrf, kind: 'new_problem', from });
  assert.equal(a.status, 303);
  assert.match(a.headers.get('location'), /^\/triage\/\d+/);
  assert.equal(a.headers.get('location'), b.headers.get('location'));
  assert.equal(one("SELECT COUNT(*) AS v FROM consultation"), before + 1);
  const c = query(server, "SELECT kind, channel, status, answers FROM consultation ORDER BY submitted_at DESC, id DESC LIMIT 1")[0];
  assert.equal(c.kind, 'new_problem');
  assert.equal(c.channel, 'web');
  assert.equal(c.status, 'submitted');
  assert.ok(c.answers.includes('A red rash came up'));
  const tp = query(server, "SELECT initiator_side FROM touchpoint WHERE resource_type = 'Consultation' ORDER BY at_ms DESC LIMIT 1")[0];
  assert.equal(tp.initiator_side, 'patient');
});

test('kill -9 while messages are sent: every acknowledged message is there with its touchpoint and outbox row', { timeout: 120000 }, async (t) => {
  const CYCLES = 3, CLIENTS = 8;
  const dir = mkdtempSync(join(tmpdir(), 'cocare-msg-kill9-'));
  const db = { dir };
  let srv = null;
  try {
    execFileSync(binary, ['demo', '--data', dir], { stdio: 'pipe' });
    const p = patientId(db);
    const doctor = query(db, "SELECT CAST(id AS TEXT) AS v FROM account WHERE username = 'doctor'")[0].v;
    const acked = new Map();
    const clients = [], threads = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      srv = await serveOn(dir);
      if (cycle === 0) {
        for (let i = 0; i < CLIENTS; i++) {
          const c = new Client(srv.url);
          await c.signIn('patient');
          const page = await c.request('/messages/new');
          const r = await c.request('/messages/new', { method: 'POST', body: form({
            csrf: hidden(page.text_, 'csrf'), request_key: `kill-start-${i}-${Date.now()}`,
            to: `person:${doctor}`, subject: `Kill test ${i}`, body: 'Start' }) });
          assert.equal(r.status, 303);
          threads.push(r.headers.get('location').match(/\/messages\/(\d+)/)[1]);
          clients.push(c);
        }
      }
      const csrfs = [];
      for (const c of clients) { c.base = srv.url; csrfs.push(await c.csrf('/messages')); }
      let stop = false, cut = 0;
      const writer = async (i) => {
        for (let k = 0; !stop; k++) {
          const key = `kill-${cycle}-${i}-${k}-${Date.now()}`;
          let res;
          try {
            res = await fetch(`${srv.url}/messages/${threads[i]}`, {
              method: 'POST', redirect: 'manual',
              body: new URLSearchParams({ csrf: csrfs[i], request_key: key, body: `Message ${cycle}.${i}.${k}` }).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: clients[i].cookieHeader() },
            });
          } catch { cut++; return; }
          if (res.status === 303 || res.status === 200) acked.set(key, threads[i]);
          try { await res.arrayBuffer(); } catch { /* cut */ }
        }
      };
      const writers = Array.from({ length: CLIENTS }, (_, i) => writer(i));
      await new Promise((r) => setTimeout(r, 200 + 300 * cycle));
      srv.proc.kill('SIGKILL');
      await srv.exited;
      stop = true;
      await Promise.all(writers);
      srv = null;
      const stored = new Set(query(db, `SELECT request_key AS k FROM message WHERE patient_id = ${p}`).map((r) => r.k));
      const missing = [...acked.keys()].filter((k) => !stored.has(k));
      assert.deepEqual(missing, [], `cycle ${cycle + 1}: acknowledged messages missing`);
      // Each stored message has its touchpoint and its outbox row (a
      // reply to a request for help is that request's touchpoint).
      const noTouch = query(db, `SELECT m.request_key AS k FROM message m WHERE m.patient_id = ${p}
        AND m.request_key NOT LIKE 'consult-reply-%' AND NOT EXISTS (SELECT 1 FROM touchpoint t WHERE t.kind = 'message' AND t.resource_type = 'Message'
        AND t.resource_id = CAST(m.id AS TEXT))`);
      assert.deepEqual(noTouch, [], 'messages without a touchpoint');
      for (const th of threads) {
        const msgs = query(db, `SELECT COUNT(*) AS v FROM message WHERE thread_id = ${th}`)[0].v;
        const rows = query(db, `SELECT COUNT(*) AS v FROM outbox WHERE link = '/messages/${th}' AND account_id = ${doctor}`)[0].v;
        assert.equal(rows, msgs, `thread ${th}: one outbox row per message`);
      }
      assert.deepEqual(query(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
      const v = spawnSync(binary, ['verify', '--data', dir], { encoding: 'utf8' });
      assert.equal(v.status, 0, `cocare verify: ${v.stdout}${v.stderr}`);
      t.diagnostic(`cycle ${cycle + 1}: ${acked.size} acknowledged so far, all present; ${cut} cut`);
    }
    assert.ok(acked.size >= CYCLES, `too few acknowledged messages: ${acked.size}`);
  } finally {
    if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) {
      srv.proc.kill('SIGKILL');
      await srv.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
