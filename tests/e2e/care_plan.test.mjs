// The shared care plan in Debian's chromium: a professional proposes a
// goal, the patient agrees and rewords it, the history shows both voices
// and the difference; two people editing at once get the merge view with
// nothing lost; a read-only caregiver cannot change anything; the
// professional's panel; bad input changes nothing. axe-core on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, newPage, signIn, checkA11y, patientId, query, snapshot, Client,
} from './lib.mjs';

let server, browser, pid;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  pid = patientId(server);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a goal proposed by the doctor, agreed and reworded by the patient', async () => {
  const doctor = await newPage(browser);
  await signIn(doctor, server.url, 'doctor');
  await doctor.goto(`${server.url}/patients/${pid}/plan`);
  await doctor.getByRole('heading', { name: 'Care plan', level: 1 }).waitFor();
  await checkA11y(doctor, 'care plan (professional)');
  await doctor.getByRole('link', { name: 'Propose a goal' }).click();
  await checkA11y(doctor, 'new goal form');
  await doctor.getByLabel("The goal, in the patient's own words").fill('Swim once a week at the leisure centre');
  await doctor.getByLabel('Clinical wording, if useful (optional)').fill('Increase physical activity; hypertension management');
  await doctor.getByRole('button', { name: 'Save' }).click();
  await doctor.getByRole('heading', { name: 'Goal: Swim once a week at the leisure centre' }).waitFor();
  assert.ok(await doctor.getByText('Agreed by the care team, waiting for the patient').first().isVisible());
  await checkA11y(doctor, 'goal page');

  const patient = await newPage(browser);
  await signIn(patient, server.url, 'patient');
  await patient.goto(`${server.url}/patients/${pid}/plan`);
  await patient.getByRole('link', { name: 'Swim once a week at the leisure centre' }).click();
  await patient.getByRole('button', { name: 'I agree' }).click();
  await patient.getByText('Agreed by both').first().waitFor();
  await patient.getByRole('link', { name: 'Change it' }).click();
  await patient.getByLabel("The goal, in the patient's own words").fill('Swim twice a week with my friend Rosa');
  await patient.getByRole('button', { name: 'Save' }).click();
  await patient.getByRole('heading', { name: 'Goal: Swim twice a week with my friend Rosa' }).waitFor();
  // Rewording needs the other side again.
  assert.ok(await patient.getByText('Agreed by the patient, waiting for the care team').first().isVisible());
  const history = patient.getByRole('region', { name: 'History' });
  assert.ok(await history.getByText('(the patient) changed it').isVisible());
  assert.ok(await history.getByText('(a professional) proposed it').isVisible());
  assert.equal(await history.locator('del').filter({ hasText: 'once' }).count(), 1, 'removed words are marked');
  assert.ok(await history.locator('ins').filter({ hasText: 'twice' }).count() >= 1, 'added words are marked');
  await checkA11y(patient, 'goal history (patient)');

  // The doctor's home page lists it as waiting for the care team.
  await doctor.goto(server.url + '/');
  const waiting = doctor.getByRole('region', { name: 'Waiting for you in care plans and notes' });
  await waiting.getByRole('link', { name: 'Swim twice a week with my friend Rosa' }).click();
  await doctor.getByRole('button', { name: 'I agree' }).click();
  await doctor.getByText('Agreed by both').first().waitFor();
  // Plain-words advice for professionals marks jargon.
  assert.ok(await doctor.getByRole('region', { name: 'Plain words check' }).isVisible());

  // The plan's history compares any two versions.
  await patient.goto(`${server.url}/patients/${pid}/plan/history`);
  await patient.getByRole('heading', { name: 'Care plan history' }).waitFor();
  assert.ok(await patient.getByText('Swim twice a week with my friend Rosa').first().isVisible());
  await checkA11y(patient, 'plan history');
  const rows = query(server, `SELECT voice, change FROM care_version WHERE subject_type = 'goal' AND fields LIKE '%Swim%' ORDER BY version`);
  assert.deepEqual(rows.map((r) => `${r.voice}:${r.change}`),
    ['professional:create', 'patient:agree', 'patient:edit', 'professional:agree']);
  const prov = query(server, `SELECT voice, activity FROM provenance WHERE resource_type = 'Goal' AND resource_id = (SELECT CAST(subject_id AS TEXT) FROM care_version WHERE fields LIKE '%Swim once%' LIMIT 1) ORDER BY at_ms`);
  assert.deepEqual(prov.map((r) => `${r.voice}:${r.activity}`),
    ['professional:create', 'patient:agree', 'patient:edit', 'professional:agree'], 'each write has provenance');
  const tp = query(server, `SELECT initiator_side FROM touchpoint WHERE kind = 'care-plan' AND resource_id = (SELECT CAST(subject_id AS TEXT) FROM care_version WHERE fields LIKE '%Swim once%' LIMIT 1) ORDER BY at_ms`);
  assert.deepEqual(tp.map((r) => r.initiator_side), ['staff', 'patient', 'patient', 'staff']);
  await doctor.context().close();
  await patient.context().close();
});

test('two people change the same goal at once: the second gets both versions to merge', async () => {
  const goal = query(server, `SELECT CAST(id AS TEXT) AS id, version FROM care_item WHERE patient_id = ${pid} AND text = 'Feel less alone in the evenings'`)[0];
  const nurse = await newPage(browser);
  const patient = await newPage(browser);
  await signIn(nurse, server.url, 'nurse');
  await signIn(patient, server.url, 'patient');
  const edit = `${server.url}/patients/${pid}/plan/items/${goal.id}/edit`;
  await nurse.goto(edit);
  await patient.goto(edit);
  await nurse.getByLabel("The goal, in the patient's own words").fill('Feel less alone in the evenings and at weekends');
  await nurse.getByRole('button', { name: 'Save' }).click();
  await nurse.getByRole('heading', { name: /^Goal: Feel less alone in the evenings and at weekends/ }).waitFor();

  await patient.getByLabel("The goal, in the patient's own words").fill('Have someone to talk to after dinner');
  await patient.getByLabel('How we will know it is getting better (optional)').fill('Talking to someone 5 evenings a week');
  const resp = patient.waitForResponse((r) => r.request().method() === 'POST');
  await patient.getByRole('button', { name: 'Save' }).click();
  assert.equal((await resp).status(), 409);
  await patient.getByRole('heading', { name: 'Someone else changed this while you were editing' }).waitFor();
  // Theirs is shown; what the patient typed is still in the form.
  assert.ok(await patient.getByRole('cell', { name: 'Feel less alone in the evenings and at weekends' }).isVisible());
  assert.equal(await patient.getByLabel("The goal, in the patient's own words").inputValue(), 'Have someone to talk to after dinner');
  assert.equal(await patient.getByLabel('How we will know it is getting better (optional)').inputValue(), 'Talking to someone 5 evenings a week');
  await checkA11y(patient, 'merge view');
  // Nothing of the patient's was stored yet.
  assert.equal(query(server, `SELECT text FROM care_item WHERE id = ${goal.id}`)[0].text, 'Feel less alone in the evenings and at weekends');
  // Merged and saved again: it goes through.
  await patient.getByLabel("The goal, in the patient's own words").fill('Have someone to talk to after dinner and at weekends');
  await patient.getByRole('button', { name: 'Save' }).click();
  await patient.getByRole('heading', { name: 'Goal: Have someone to talk to after dinner and at weekends' }).waitFor();
  const row = query(server, `SELECT text, progress_sign, version FROM care_item WHERE id = ${goal.id}`)[0];
  assert.equal(row.progress_sign, 'Talking to someone 5 evenings a week');
  assert.equal(row.version, goal.version + 2);
  await nurse.context().close();
  await patient.context().close();
});

test('a caregiver with a read-only grant sees the plan but cannot change it', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'caregiver');
  await page.goto(`${server.url}/patients/${pid}/plan`);
  await page.getByRole('heading', { name: 'Care plan', level: 1 }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Propose a goal' }).count(), 0);
  await checkA11y(page, 'care plan (caregiver)');
  const item = query(server, `SELECT CAST(id AS TEXT) AS id, version FROM care_item WHERE patient_id = ${pid} AND kind = 'goal' LIMIT 1`)[0];
  await page.goto(`${server.url}/patients/${pid}/plan/items/${item.id}`);
  assert.equal(await page.getByRole('button', { name: 'I agree' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Change it' }).count(), 0);
  const res = await page.goto(`${server.url}/patients/${pid}/plan/items/${item.id}/edit`);
  assert.equal(res.status(), 403);

  const c = new Client(server.url);
  await c.signIn('caregiver');
  const csrf = await c.csrf(`/patients/${pid}/plan`).catch(() => null) || await c.csrf('/account');
  const before = snapshot(server);
  for (const [path, fields] of [
    [`/patients/${pid}/plan/goals/new`, { text: 'Caregiver goal', status: 'active' }],
    [`/patients/${pid}/plan/items/${item.id}/edit`, { text: 'Changed', status: 'active', version: item.version }],
    [`/patients/${pid}/plan/items/${item.id}/agree`, { version: item.version }],
    [`/patients/${pid}/plan/items/${item.id}/comments`, { body: 'Hello' }],
    [`/patients/${pid}/plan/review`, { part_patient: '1' }],
  ]) {
    const r = await c.post(path, { csrf, ...fields });
    assert.equal(r.status, 403, path);
  }
  assert.equal(snapshot(server), before, 'nothing changed');
  await page.context().close();
});

test('a professional sees co-production figures for the whole panel', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'doctor');
  await page.getByRole('link', { name: 'Co-production' }).click();
  await page.getByRole('heading', { name: 'Co-production in my panel' }).waitFor();
  assert.ok(await page.getByRole('link', { name: 'María López' }).isVisible());
  await checkA11y(page, 'panel');
  const c = new Client(server.url);
  await c.signIn('patient');
  assert.equal((await c.request('/panel')).status, 403);
  await page.context().close();
});

test('bad input to the plan is refused with a clear message and changes nothing', async () => {
  const c = new Client(server.url);
  await c.signIn('doctor');
  const csrf = await c.csrf(`/patients/${pid}/plan/goals/new`);
  const goal = query(server, `SELECT CAST(id AS TEXT) AS id, version FROM care_item WHERE patient_id = ${pid} AND kind = 'goal' AND removed = 0 LIMIT 1`)[0];
  const before = snapshot(server);
  const cases = [
    [`/patients/${pid}/plan/goals/new`, { text: 'x'.repeat(301), status: 'active' }, 400, 'Keep this under 300 characters.'],
    [`/patients/${pid}/plan/goals/new`, { text: '', status: 'active' }, 400, 'Write the goal in a few words.'],
    [`/patients/${pid}/plan/goals/new`, { text: 'Walk', status: 'active', due_date: '2027-02-30' }, 400, 'Enter a real date'],
    [`/patients/${pid}/plan/goals/new`, { text: 'Walk', status: 'flying' }, 400, 'Choose a status.'],
    [`/patients/${pid}/plan/goals/${goal.id}/actions/new`, { text: 'Ring', status: 'planned', owner: 'professional:12345' }, 400, 'Choose someone from the list'],
    [`/patients/${pid}/plan/goals/${goal.id}/actions/new`, { text: 'Ring', status: 'planned', owner: 'neighbour' }, 400, 'Choose who will do this.'],
    [`/patients/${pid}/plan/items/${goal.id}/edit`, { text: 'Old form', status: 'active', version: goal.version - 1 || 1000 }, 409, 'Someone changed this since you opened it'],
    [`/patients/${pid}/plan/items/${goal.id}/dispute`, { version: goal.version, comment: '' }, 400, 'Say what you disagree with'],
    [`/patients/${pid}/plan/items/${goal.id}/status`, { version: goal.version, status: 'nonsense' }, 400, ''],
    [`/patients/${pid}/plan/items/99999/edit`, { text: 'x', status: 'active', version: 1 }, 404, ''],
    [`/patients/${pid}/plan/history?from=abc`, null, 400, ''],
    [`/patients/${pid}/plan/review`, {}, 400, 'Tick everyone who took part'],
  ];
  for (const [path, fields, status, message] of cases) {
    const r = fields ? await c.post(path, { csrf, ...fields }) : await c.request(path);
    assert.equal(r.status, status, `${path} ${JSON.stringify(fields)}`);
    if (message) assert.ok(r.text_.includes(message), `message for ${path}: ${message}`);
  }
  // Missing CSRF token.
  let r = await c.post(`/patients/${pid}/plan/goals/new`, { text: 'No token', status: 'active' });
  assert.equal(r.status, 403);
  // Someone outside the team and other roles are refused.
  for (const user of ['reception', 'admin', 'privacy']) {
    const o = new Client(server.url);
    await o.signIn(user);
    const t = await o.csrf('/account');
    const res = await o.post(`/patients/${pid}/plan/goals/new`, { csrf: t, text: 'Walk', status: 'active' });
    assert.equal(res.status, 403, user);
  }
  assert.equal(snapshot(server), before, 'nothing changed');
  // Hostile text is stored as typed and shown inert.
  r = await c.post(`/patients/${pid}/plan/items/${goal.id}/comments`, { csrf, body: '<script>alert(1)</script>' });
  assert.equal(r.status, 303);
  r = await c.request(`/patients/${pid}/plan/items/${goal.id}`);
  assert.ok(r.text_.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!r.text_.includes('<script>alert(1)'));
});

test('the organisation adds to the plain-words list; professionals see it marked', async () => {
  const admin = await newPage(browser);
  await signIn(admin, server.url, 'admin');
  await admin.goto(`${server.url}/admin/plain-words`);
  await checkA11y(admin, 'plain words list');
  await admin.getByLabel('Word or phrase to look out for').fill('community group');
  await admin.getByLabel('Plain words to suggest').fill('local club');
  await admin.getByRole('button', { name: 'Add the word' }).click();
  await admin.getByText('community group → local club').waitFor();
  assert.equal(query(server, `SELECT plain FROM jargon WHERE term = 'community group'`)[0].plain, 'local club');
  const c = new Client(server.url);
  await c.signIn('admin');
  const csrf = await c.csrf('/admin/plain-words');
  assert.equal((await c.post('/admin/plain-words', { csrf, lang: 'en', term: 'x'.repeat(101), plain: 'y' })).status, 400);
  assert.equal((await c.post('/admin/plain-words', { csrf, lang: 'fr', term: 'a', plain: 'b' })).status, 400);
  const nurse = new Client(server.url);
  await nurse.signIn('nurse');
  assert.equal((await nurse.request('/admin/plain-words')).status, 403);

  const action = query(server, `SELECT CAST(id AS TEXT) AS id FROM care_item WHERE patient_id = ${pid} AND text LIKE '%community group%'`)[0].id;
  const doctor = await newPage(browser);
  await signIn(doctor, server.url, 'doctor');
  await doctor.goto(`${server.url}/patients/${pid}/plan/items/${action}`);
  const advice = doctor.getByRole('region', { name: 'Plain words check' });
  assert.ok(await advice.getByText('local club').isVisible(), 'the organisation’s word is suggested');
  assert.ok(await advice.locator('mark', { hasText: 'community group' }).count() >= 1);
  // Patients never see the advice.
  const patient = await newPage(browser);
  await signIn(patient, server.url, 'patient');
  await patient.goto(`${server.url}/patients/${pid}/plan/items/${action}`);
  assert.equal(await patient.getByRole('region', { name: 'Plain words check' }).count(), 0);
  for (const p of [admin, doctor, patient]) await p.context().close();
});
