// Questionnaires end to end: a patient answers the PHQ-9 on a phone-sized
// screen without JavaScript, leaves half-way, resumes and sends it, and
// sees the score with its meaning; item 9 above 0 shows where to get help
// now and puts an urgent item in the care team's queue; a professional
// sends a questionnaire on a schedule; patient and professional see the
// same dashboard, agenda first; bad input of every kind is refused with
// nothing changed. axe-core checks every page in English and Spanish.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startServer, launchBrowser, newPage, signIn, checkA11y, Client, snapshot, query, patientId,
} from './lib.mjs';

let server, browser, pid;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  pid = patientId(server);
});
after(async () => { await browser?.close(); await server?.stop(); });

const PHONE = { viewport: { width: 360, height: 740 }, javaScriptEnabled: false };

async function client(user) {
  const c = new Client(server.url);
  await c.signIn(user);
  return c;
}

async function expectRefused(fn, status, message) {
  const before = snapshot(server);
  const res = await fn();
  assert.equal(res.status, status, `status for ${message}`);
  if (message) assert.match(res.text_, message);
  assert.equal(snapshot(server), before, 'stored data must not change');
  return res;
}

// Chooses an answer on the current question and goes on.
async function choose(page, label, button = 'Next') {
  await page.getByLabel(label, { exact: true }).check();
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
}

test('a patient answers the PHQ-9 on a phone, leaves half-way, resumes, sends it and sees its meaning', async () => {
  const alertsBefore = Number(query(server,
    `SELECT COUNT(*) AS n FROM measure_alert WHERE patient_id = ${pid} AND urgent = 1 AND status = 'open'`)[0].n);
  const page = await newPage(browser, PHONE);
  await signIn(page, server.url, 'patient');
  // The demo has a PHQ-9 due today: the home page offers it.
  await page.getByRole('button', { name: /Answer: Patient Health Questionnaire-9/ }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.locator('.progress').innerText(), /Question 1 of \d+/);
  // Going on without an answer is refused with a clear message.
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.locator('.field-error').innerText(), /Choose an answer/);
  await choose(page, 'Several days');
  await choose(page, 'More than half the days');
  // Back shows the answer already given.
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.ok(await page.getByLabel('More than half the days', { exact: true }).isChecked());
  await choose(page, 'More than half the days');
  await choose(page, 'Several days');
  assert.match(await page.locator('.progress').innerText(), /Question 4 of/);
  await page.getByLabel('Nearly every day', { exact: true }).check();
  await page.getByRole('button', { name: 'Save and finish later' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.locator('.notice').innerText(), /Your answers are saved/);
  const row = query(server, `SELECT status, screen FROM measure_response WHERE patient_id = ${pid} AND status = 'in-progress'`);
  assert.equal(row.length, 1);

  // Later, from the home page again: the same questionnaire resumes at
  // question 4 with its answer kept.
  await page.goto(`${server.url}/`);
  await page.getByRole('button', { name: /Answer: Patient Health Questionnaire-9/ }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.locator('.progress').innerText(), /Question 4 of/);
  assert.ok(await page.getByLabel('Nearly every day', { exact: true }).isChecked());
  await choose(page, 'Nearly every day');
  for (let i = 5; i <= 8; i++) await choose(page, 'Several days');
  await choose(page, 'Several days');	// item 9: above 0
  // The difficulty question may be left out.
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(await page.locator('h1').innerText(), 'Check your answers');
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.waitForLoadState('domcontentloaded');
  // 1 + 2 + 1 + 3 + 1 + 1 + 1 + 1 + 1 = 12: moderate, 10-14 (Kroenke 2001).
  assert.match(await page.locator('.score-value').first().innerText(), /12 — Moderate depression/);
  assert.match(await page.locator('.crisis-emergency').innerText(), /get help now/);
  assert.match(await page.locator('.crisis-emergency').innerText(), /999/);
  await page.context().close();

  const done = query(server, `SELECT CAST(id AS TEXT) AS id, mode FROM measure_response WHERE patient_id = ${pid} AND status = 'completed' ORDER BY completed_ms DESC LIMIT 1`)[0];
  assert.equal(done.mode, 'self');
  assert.deepEqual(query(server, `SELECT name, value_milli, band FROM measure_score WHERE response_id = ${done.id} ORDER BY name`),
    [{ name: 'total', value_milli: 12000, band: 'moderate' }]);
  const alertsAfter = Number(query(server,
    `SELECT COUNT(*) AS n FROM measure_alert WHERE patient_id = ${pid} AND urgent = 1 AND status = 'open'`)[0].n);
  assert.equal(alertsAfter, alertsBefore + 1, 'item 9 above 0 alerts the care team');
  assert.deepEqual(query(server, `SELECT kind, direction FROM touchpoint WHERE resource_id = '${done.id}'`),
    [{ kind: 'questionnaire-answered', direction: 'patient-to-staff' }]);
  assert.ok(query(server, `SELECT COUNT(*) AS n FROM provenance WHERE resource_id = '${done.id}'`)[0].n >= 3);
  // A repeating request moves on: nothing is due today any more.
  const due = query(server, `SELECT due_date FROM measure_request WHERE patient_id = ${pid} AND schedule = 'repeat'`);
  assert.ok(due.every((r) => r.due_date > new Date().toISOString().slice(0, 10)));

  // The doctor sees the urgent alert in the queue.
  const doc = await newPage(browser);
  await signIn(doc, server.url, 'doctor');
  assert.match(await doc.locator('#alerts-h').locator('..').innerText(), /alert/);
  await doc.context().close();
});

test('patient and professional see the same dashboard, with the agenda first', async () => {
  const texts = {};
  for (const user of ['patient', 'doctor']) {
    const page = await newPage(browser);
    await signIn(page, server.url, user);
    await page.goto(`${server.url}/patients/${pid}/measures`);
    const sections = await page.locator('main h2').allInnerTexts();
    assert.equal(sections[0], 'What I want to talk about at the next visit');
    const charts = await page.locator('.chart-card h3').allInnerTexts();
    assert.ok(charts.includes('Blood pressure'));
    assert.ok(charts.some((t) => /PHQ-9/.test(t)));
    // Every chart has a text alternative and its numbers in a table.
    assert.equal(await page.locator('.chart-card svg[role="img"] desc').count(), charts.length);
    assert.equal(await page.locator('.chart-card table').count(), charts.length);
    texts[user] = { charts, tables: await page.locator('.chart-card table').allInnerTexts() };
    await checkA11y(page, `dashboard (${user})`);
    await page.goto(`${server.url}/patients/${pid}/measures?view=together`);
    assert.equal(await page.locator('.dashboard.together').count(), 1);
    await checkA11y(page, `dashboard side by side (${user})`);
    await page.context().close();
  }
  assert.deepEqual(texts.patient, texts.doctor);

  // The charts are drawn once per change: a new reading shows at once,
  // on the page drawn before it.
  const c = await client('patient');
  const weights = async () => {
    const html = (await c.request(`/patients/${pid}/measures`)).text_;
    return html.match(/Latest readings \((\d+) in all\)[\s\S]*?<\/table>/g).join('|');
  };
  const before = await weights();
  const csrf = await c.csrf(`/patients/${pid}/readings`);
  const now = new Date();
  const res = await c.post(`/patients/${pid}/readings`, {
    csrf, kind: 'weight', value: '79.9', unit: 'kg',
    date: now.toISOString().slice(0, 10), time: '00:01',
  });
  assert.equal(res.status, 303);
  const after = await weights();
  assert.notEqual(after, before);
  assert.match(after, /79\.9 kg/);
});

test('the patient adds to the visit agenda and the doctor marks it talked about', async () => {
  const item = `Ask about the walking group ${Date.now()}`;
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(`${server.url}/patients/${pid}/measures`);
  await page.getByLabel('Add something to talk about').fill(item);
  await page.getByRole('button', { name: 'Add to the list' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.locator('#visit-agenda').innerText(), new RegExp(item));
  await page.context().close();
  const doc = await newPage(browser);
  await signIn(doc, server.url, 'doctor');
  await doc.goto(`${server.url}/patients/${pid}/measures`);
  await doc.getByRole('button', { name: new RegExp(`We talked about it.*${item}`) }).click();
  await doc.waitForLoadState('domcontentloaded');
  assert.equal(await doc.locator('ol.agenda').getByText(item).count(), 0);
  await doc.context().close();
  const row = query(server, `SELECT discussed_ms > 0 AS done FROM visit_agenda WHERE text = '${item}'`);
  assert.deepEqual(row, [{ done: 1 }]);
});

test('a professional sends a questionnaire before an appointment, fills one in together, and stops one', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'nurse');
  await page.goto(`${server.url}/patients/${pid}/questionnaires`);
  await checkA11y(page, 'questionnaires (nurse)');
  await page.locator('#instrument').selectOption('https://cocare.org/fhir/Questionnaire/eheals');
  await page.getByLabel('Before an appointment', { exact: true }).check();
  const visit = new Date(Date.now() + 10 * 86400e3).toISOString().slice(0, 10);
  await page.locator('#appointment_date').fill(visit);
  await page.locator('#days_before').fill('3');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.locator('.notice').innerText(), /The questionnaire is sent/);
  const expected = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10);
  const sent = query(server, `SELECT due_date, appointment_date FROM measure_request WHERE patient_id = ${pid} AND schedule = 'before' ORDER BY sent_ms DESC LIMIT 1`)[0];
  assert.deepEqual(sent, { due_date: expected, appointment_date: visit });

  // Filled in together at the visit: recorded as such.
  await page.locator('#start-instrument').selectOption('https://cocare.org/fhir/Questionnaire/gad-7');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.locator('.lead').innerText(), /filled in together/);
  const rid = page.url().match(/responses\/(\d+)/)[1];
  assert.deepEqual(query(server, `SELECT mode, status FROM measure_response WHERE id = ${rid}`),
    [{ mode: 'with-professional', status: 'in-progress' }]);
  await checkA11y(page, 'a question (nurse, together)');
  await page.getByLabel('Several days', { exact: true }).check();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
  await page.goto(`${server.url}/patients/${pid}/responses/${rid}?at=0`);
  assert.equal(await page.locator('h1').innerText(), 'Check your answers');
  await checkA11y(page, 'check your answers (nurse)');
  await page.context().close();
});

test('bad input: disallowed answers, stale versions, missing answers, bad schedules and refused people change nothing', async () => {
  const pat = await client('patient');
  // A fresh answering of the WHO-5.
  let csrf = await pat.csrf(`/patients/${pid}/questionnaires`);
  const who5 = 'https://cocare.org/fhir/Questionnaire/who-5';
  let res = await pat.post(`/patients/${pid}/questionnaires/start`, { csrf, instrument: who5 });
  assert.equal(res.status, 303);
  const path = new URL(res.headers.get('location'), server.url);
  const at = path.searchParams.get('at');
  const form = await pat.request(path.pathname + path.search);
  const version = form.text_.match(/name="version" value="(\d+)"/)[1];
  csrf = form.text_.match(/name="csrf" value="([0-9a-f]{64})"/)[1];
  const post = (fields) => pat.post(path.pathname, { csrf, at, version, go: 'next', ...fields });

  await expectRefused(() => post({ answer: 'not-an-option' }), 400, /Choose one of the answers|Check this answer|not one of/i);
  await expectRefused(() => post({ answer: '' }), 400, /Choose an answer/);
  await expectRefused(() => post({ answer: '3', version: '999' }), 409, /saved meanwhile in another window/);
  await expectRefused(() => post({ answer: '3', at: '99999' }), 400);
  await expectRefused(() => post({ answer: '3', at: 'x' }), 400);
  // Sending with questions unanswered: the check page says which. Its
  // step is the number of items in the file (every level).
  const count = (items) => items.reduce((n, it) => n + 1 + count(it.item || []), 0);
  const nAll = count(JSON.parse(readFileSync('instruments/who-5.json', 'utf8')).item);
  await expectRefused(() => pat.post(path.pathname, { csrf, at: String(nAll), version, go: 'send' }),
    400, /Some questions still need an answer/);
  // A patient cannot send questionnaires; a bad schedule is refused.
  csrf = await pat.csrf(`/patients/${pid}/questionnaires`);
  await expectRefused(() => pat.post(`/patients/${pid}/questionnaires/send`,
    { csrf, instrument: who5, schedule: 'once', due_date: '2030-01-01' }), 403);
  const nurse = await client('nurse');
  csrf = await nurse.csrf(`/patients/${pid}/questionnaires`);
  await expectRefused(() => nurse.post(`/patients/${pid}/questionnaires/send`,
    { csrf, instrument: who5, schedule: 'once', due_date: '2020-02-30' }), 400, /first date it is due/);
  await expectRefused(() => nurse.post(`/patients/${pid}/questionnaires/send`,
    { csrf, instrument: who5, schedule: 'repeat', due_date: '', every_days: '0' }), 400, /how often/);
  await expectRefused(() => nurse.post(`/patients/${pid}/questionnaires/send`,
    { csrf, instrument: 'https://example.org/nope', schedule: 'once' }), 400, /Choose a questionnaire/);
  await expectRefused(() => nurse.post(`/patients/${pid}/questionnaires/send`,
    { csrf, instrument: who5, schedule: 'sometimes' }), 400, /Choose when/);
  await expectRefused(() => nurse.post(`/patients/${pid}/agenda`, { csrf, agenda: 'x'.repeat(400) }), 400, /under 300/);
  await expectRefused(() => nurse.post(`/patients/${pid}/agenda`, { csrf, agenda: '   ' }), 400, /Write what you would like/);

  // People with no right to the patient's measures are refused every
  // write: the receptionist, the administrator, the researcher.
  for (const who of ['reception', 'admin', 'researcher']) {
    const c = await client(who);
    const token = await c.csrf('/account');
    await expectRefused(() => c.post(`/patients/${pid}/questionnaires/start`, { csrf: token, instrument: who5 }), 403);
    await expectRefused(() => c.post(path.pathname, { csrf: token, at, version, go: 'next', answer: '3' }), 403);
    await expectRefused(() => c.post(`/patients/${pid}/agenda`, { csrf: token, agenda: 'hello' }), 403);
  }
  // Without the CSRF token nothing happens either.
  await expectRefused(() => pat.post(`/patients/${pid}/agenda`, { agenda: 'hello' }), 403);
  // Another patient's answers are not found through this patient.
  const other = query(server, `SELECT CAST(id AS TEXT) AS id, CAST(patient_id AS TEXT) AS p FROM measure_response WHERE patient_id <> ${pid} LIMIT 1`)[0];
  const r404 = await pat.request(`/patients/${pid}/responses/${other.id}`);
  assert.equal(r404.status, 404);
  const r403 = await pat.request(`/patients/${other.p}/responses/${other.id}`);
  assert.equal(r403.status, 403);
});

test('instruments: the library and its pages, and an administrator adds a PHQ-9 written elsewhere', async () => {
  const doc = await newPage(browser);
  await signIn(doc, server.url, 'doctor');
  await doc.goto(`${server.url}/instruments`);
  await checkA11y(doc, 'instrument library');
  await doc.getByRole('link', { name: /PHQ-9/ }).first().click();
  await doc.waitForLoadState('domcontentloaded');
  assert.match(await doc.locator('main').innerText(), /Moderate depression/);
  assert.match(await doc.locator('main').innerText(), /44249-1/);
  await checkA11y(doc, 'instrument page');
  await doc.context().close();

  const admin = await newPage(browser);
  await signIn(admin, server.url, 'admin');
  await admin.goto(`${server.url}/admin/instruments/new`);
  await checkA11y(admin, 'add a questionnaire');
  await admin.locator('#file').setInputFiles('../shared/testdata/fhir-questionnaires/sdc-phq9-questionnaire.json');
  await admin.getByLabel(/As Patient Health Questionnaire-9/).check();
  await admin.getByRole('button', { name: 'Add', exact: true }).click();
  await admin.waitForLoadState('domcontentloaded');
  // The file's weight of 4 for "Nearly every day" is reported: cocare
  // scores by the published 3.
  assert.match(await admin.locator('.warning').first().innerText(), /4/);
  await checkA11y(admin, 'added questionnaire');
  // A file that is not a questionnaire is refused with a message.
  const before = snapshot(server);
  await admin.goto(`${server.url}/admin/instruments/new`);
  await admin.locator('#file').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"resourceType":"Patient"}') });
  await admin.getByRole('button', { name: 'Add', exact: true }).click();
  await admin.waitForLoadState('domcontentloaded');
  assert.match(await admin.locator('.error-summary').innerText(), /not a questionnaire cocare can read/);
  assert.equal(snapshot(server), before);
  await admin.context().close();
});

test('Spanish: the questionnaire pages and dashboard in Spanish have no axe violations', async () => {
  const page = await newPage(browser, { locale: 'es-ES' });
  await signIn(page, server.url, 'patient');
  const done = query(server, `SELECT CAST(id AS TEXT) AS id FROM measure_response WHERE patient_id = ${pid} AND status = 'completed' LIMIT 1`)[0].id;
  const open = query(server, `SELECT CAST(id AS TEXT) AS id FROM measure_response WHERE patient_id = ${pid} AND status = 'in-progress' LIMIT 1`);
  const paths = [`/patients/${pid}/questionnaires`, `/patients/${pid}/measures`, `/patients/${pid}/responses/${done}`];
  if (open.length) paths.push(`/patients/${pid}/responses/${open[0].id}`);
  for (const path of paths) {
    await page.goto(`${server.url}${path}`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'es');
    await checkA11y(page, `${path} (es)`);
  }
  await page.context().close();
});
