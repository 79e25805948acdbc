// Home readings in Debian's chromium: the doctor sets a target with
// advice, the patient agrees, adds a reading outside it and sees the
// advice at once, the nurse finds it in the care team's queue and closes
// it; a CSV file is previewed with its bad rows by row number and nothing
// is stored until it is confirmed; a caregiver who may only read gets
// 403 on every write and nothing changes; refused readings store nothing;
// axe-core on every new page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, newPage, signIn, checkA11y, patientId, query, Client,
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

// What a refused request must leave alone.
function measuresSnapshot() {
  return JSON.stringify([
    query(server, 'SELECT CAST(id AS TEXT) AS id, kind, at_ms, value_milli, value2_milli FROM reading ORDER BY id'),
    query(server, 'SELECT CAST(patient_id AS TEXT) AS p, measure, low_milli, high_milli, advice, patient_agreed_ms, team_agreed_ms, version FROM measure_target ORDER BY 1, 2'),
    query(server, 'SELECT CAST(id AS TEXT) AS id, count, last_value, status, closing_note FROM measure_alert ORDER BY id'),
  ]);
}

function readingCount(where = '') {
  return query(server, `SELECT count(*) AS n FROM reading WHERE patient_id = ${pid} ${where}`)[0].n;
}

// A date `days` ago, YYYY-MM-DD.
const ago = (days) => new Date(Date.now() - days * 86400000).toISOString().slice(0, 10);

const ADVICE = 'Eat something sweet if it is below 4. If it is above 10 twice in a day, ring the diabetes nurse.';

test('a reading outside the agreed target shows the advice and reaches the queue', async () => {
  // The doctor sets a blood glucose target with advice.
  const doctor = await newPage(browser);
  await signIn(doctor, server.url, 'doctor');
  await doctor.goto(`${server.url}/patients/${pid}/targets`);
  await doctor.getByRole('heading', { name: 'Targets', level: 1 }).waitFor();
  await checkA11y(doctor, 'targets (doctor)');
  await doctor.getByLabel('Set a target for').selectOption('glucose');
  await doctor.getByRole('button', { name: 'Choose' }).click();
  const card = doctor.getByRole('region', { name: 'Blood glucose' });
  await card.getByLabel('Lowest (mmol/L)').fill('4');
  await card.getByLabel('Highest (mmol/L)').fill('10');
  await card.getByLabel('What the patient should do when a reading is outside the target').fill(ADVICE);
  await card.getByRole('button', { name: 'Save the target' }).click();
  await doctor.getByText('Your changes are saved.').waitFor();
  const saved = doctor.getByRole('region', { name: 'Blood glucose' });
  assert.ok(await saved.getByText('Agreed by the care team, waiting for the patient').isVisible());
  assert.ok(await saved.getByText('from 4.0 to 10.0 mmol/L').isVisible());
  await checkA11y(doctor, 'targets after saving');

  // The patient agrees with it.
  const patient = await newPage(browser);
  await signIn(patient, server.url, 'patient');
  await patient.goto(`${server.url}/patients/${pid}/targets`);
  await patient.getByRole('heading', { name: 'My targets', level: 1 }).waitFor();
  await patient.getByRole('button', { name: /^I agree with this target.*Blood glucose/ }).click();
  await patient.getByRole('region', { name: 'Blood glucose' }).getByText('Agreed by both').waitFor();
  const target = query(server, `SELECT patient_agreed_ms > 0 AS p, team_agreed_ms > 0 AS t FROM measure_target WHERE patient_id = ${pid} AND measure = 'glucose'`)[0];
  assert.deepEqual(target, { p: 1, t: 1 });

  // She adds a reading above it, with a decimal comma.
  await patient.goto(`${server.url}/patients/${pid}/readings`);
  await patient.getByRole('heading', { name: 'My readings', level: 1 }).waitFor();
  await checkA11y(patient, 'readings (patient)');
  await patient.getByRole('navigation', { name: 'What did you measure?' }).getByRole('link', { name: 'Blood glucose' }).click();
  await patient.locator('#value').fill('13,5');
  await patient.getByRole('button', { name: 'Save the reading' }).click();
  const advice = patient.getByRole('alert');
  await advice.getByRole('heading', { name: 'This reading is above the target you agreed' }).waitFor();
  assert.ok(await advice.getByText(ADVICE).isVisible(), 'the agreed advice is shown');
  assert.ok(await advice.getByText('Your care team has been told about it.').isVisible());
  await checkA11y(patient, 'readings after an out-of-range reading');
  assert.equal(readingCount("AND kind = 'glucose' AND value_milli = 13500"), 1);
  // Reloading the page after saving stores nothing more.
  await patient.reload();
  assert.equal(readingCount("AND kind = 'glucose' AND value_milli = 13500"), 1);

  // The nurse on her team finds it in the queue and closes it.
  const nurse = await newPage(browser);
  await signIn(nurse, server.url, 'nurse');
  await nurse.goto(`${server.url}/alerts`);
  await nurse.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
  const item = nurse.getByRole('listitem').filter({ hasText: 'Blood glucose' });
  assert.ok(await item.getByRole('link', { name: 'María López' }).isVisible());
  assert.ok(await item.getByText('13.5 mmol/L').isVisible());
  await checkA11y(nurse, 'alert queue');
  await item.getByLabel('Note on what was done (optional)').fill('Rang María; she had a big lunch.');
  await item.getByRole('button', { name: /^Close this alert/ }).click();
  await nurse.getByText('Your changes are saved.').waitFor();
  assert.equal(await nurse.getByRole('listitem').filter({ hasText: 'Blood glucose' }).count(), 0);
  const closed = query(server, `SELECT status, closing_note FROM measure_alert WHERE patient_id = ${pid} AND measure = 'glucose'`);
  assert.deepEqual(closed, [{ status: 'closed', closing_note: 'Rang María; she had a big lunch.' }]);
  for (const p of [doctor, patient, nurse]) await p.context().close();
});

test('refused readings say what is wrong next to the field and store nothing', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(`${server.url}/patients/${pid}/readings?kind=blood-pressure`);
  const before = measuresSnapshot();
  await page.locator('#value').fill('400/90');
  await page.getByRole('button', { name: 'Save the reading' }).click();
  await page.getByRole('heading', { name: 'Please check the form' }).waitFor();
  assert.ok(await page.getByText('A systolic pressure (the first number) above 300 mmHg is not possible.', { exact: false }).first().isVisible());
  assert.equal(await page.locator('#value').inputValue(), '400/90', 'what was typed is kept');
  await checkA11y(page, 'readings with a refused value');
  await page.locator('#value').fill('128/82');
  await page.locator('#date').fill('2099-01-01');
  await page.getByRole('button', { name: 'Save the reading' }).click();
  await page.getByText('This date and time are in the future.', { exact: false }).first().waitFor();
  assert.equal(measuresSnapshot(), before, 'nothing stored');

  const c = new Client(server.url);
  await c.signIn('patient');
  const path = `/patients/${pid}/readings`;
  const csrf = await c.csrf(path);
  const good = { csrf, kind: 'weight', value: '81.2', unit: 'kg', date: ago(40), time: '08:00' };
  for (const bad of [{ kind: 'shoe-size' }, { unit: 'mmHg' }, { value: '' }, { value: '900' }, { date: '2026-02-30' }, { date: '2099-01-01' }, { time: '8am' }]) {
    const r = await c.post(path, { ...good, ...bad });
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.match(r.text_, /class="field-error"/);
  }
  assert.equal(measuresSnapshot(), before, 'nothing stored');
  // A double submit is one reading.
  const r1 = await c.post(path, good);
  const r2 = await c.post(path, good);
  assert.equal(r1.status, 303);
  assert.equal(r2.status, 303);
  assert.equal(r2.headers.get('location'), r1.headers.get('location'));
  assert.equal(readingCount(`AND kind = 'weight' AND at_ms = ${Date.parse(`${good.date}T08:00:00Z`)}`), 1);
  await page.context().close();
});

const CSV = [
  'date,time,measure,value,unit',
  `${ago(60)},08:30,blood-pressure,128/82,mmHg`,
  `${ago(60)},08:31,Heart rate,71,`,
  `${ago(59)},,weight,"79,4",kg`,
  `${ago(58)},09:00,weight,heavy,kg`,
  `${ago(57)},25:00,heart-rate,70,`,
  `${ago(56)},07:15,glucose,6.1,mmol/L`,
  `${ago(60)},08:30,blood-pressure,128/82,mmHg`,
].join('\r\n');

test('a CSV file is previewed with its bad rows, stored only when confirmed', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(`${server.url}/patients/${pid}/readings`);
  await page.getByRole('link', { name: 'Import readings from a file' }).click();
  await page.getByRole('heading', { name: 'Import readings from a file', level: 1 }).waitFor();
  assert.ok(await page.getByText('2026-03-01,08:30,blood-pressure,128/82,mmHg', { exact: false }).isVisible(), 'an example');
  await checkA11y(page, 'import form');
  const before = readingCount();

  // Nothing at all readable: a clear message, 400.
  await page.locator('#file').setInputFiles({ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.from('') });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByRole('heading', { name: 'Please check the form' }).waitFor();

  await page.locator('#file').setInputFiles({ name: 'february.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByRole('heading', { name: 'What is in february.csv' }).waitFor();
  assert.ok(await page.getByText('4 rows can be imported.').isVisible());
  assert.ok(await page.getByText('2 rows have a problem and will not be imported.').isVisible());
  assert.ok(await page.getByText('Row 8 is the same as row 2.').isVisible());
  const problems = page.getByRole('table', { name: 'Rows with problems' });
  const rows = await problems.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /^5\b[\s\S]*heavy/);
  assert.match(rows[1], /^6\b[\s\S]*25:00/);
  await checkA11y(page, 'import preview');
  assert.equal(readingCount(), before, 'nothing stored before confirming');

  await page.getByRole('button', { name: 'Import these readings' }).click();
  await page.getByText('4 readings were imported.').waitFor();
  assert.ok(await page.getByText('2 rows had a problem and were not imported.').isVisible());
  assert.equal(readingCount(), before + 4);
  assert.equal(readingCount("AND source = 'csv' AND kind = 'weight' AND value_milli = 79400"), 1);

  // The same file again: everything is already there.
  await page.goto(`${server.url}/patients/${pid}/readings/import`);
  await page.locator('#file').setInputFiles({ name: 'february.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByText('4 rows are already stored and will be left out.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Import these readings' }).count(), 0);
  assert.equal(readingCount(), before + 4);

  // A confirmation names a kept file: once confirmed it is gone, and
  // another account's file, a made-up id or junk are refused.
  const c = new Client(server.url);
  await c.signIn('patient');
  const path = `/patients/${pid}/readings/import`;
  const used = query(server, 'SELECT COUNT(*) AS n FROM reading_upload')[0].n;
  assert.equal(used, 0, 'the confirmed file is not kept');
  const fd = new FormData();
  fd.set('csrf', await c.csrf(path));
  fd.set('step', 'preview');
  fd.set('file', new Blob([`date,measure,value\n${ago(50)},weight,75\n`], { type: 'text/csv' }), 'mine.csv');
  let r = await c.request(path, { method: 'POST', body: fd });
  assert.equal(r.status, 200);
  const upload = r.text_.match(/name="upload" value="(\d+)"/)[1];
  const confirm = async (who, id) => {
    const f = new FormData();
    f.set('csrf', await who.csrf(path));
    f.set('step', 'confirm');
    f.set('upload', id);
    return who.request(path, { method: 'POST', body: f });
  };
  const nurse = new Client(server.url);
  await nurse.signIn('nurse');
  assert.equal((await confirm(nurse, upload)).status, 400, "another person's file");
  for (const id of ['12345', 'x', '']) assert.equal((await confirm(c, id)).status, 400, `upload ${id}`);
  assert.equal(readingCount(), before + 4);
  assert.equal((await confirm(c, upload)).status, 303);
  assert.equal(readingCount(), before + 5);
  assert.equal((await confirm(c, upload)).status, 400, 'confirmed twice');
  assert.equal(readingCount(), before + 5);
  await page.context().close();
});

test('a caregiver who may only read gets 403 on every write', async () => {
  // María gives her caregiver read-only access to readings.
  const patient = new Client(server.url);
  await patient.signIn('patient');
  const grants = `/patients/${pid}/grants`;
  const grant = query(server, `SELECT CAST(g.id AS TEXT) AS id FROM caregiver_grant g JOIN account a ON a.id = g.caregiver_id WHERE a.username = 'caregiver' AND g.patient_id = ${pid} AND g.revoked_at = 0`)[0];
  let r = await patient.post(`${grants}/${grant.id}/revoke`, { csrf: await patient.csrf(grants) });
  assert.equal(r.status, 303);
  r = await patient.post(grants, {
    csrf: await patient.csrf(grants), username: 'caregiver', relationship: 'daughter',
    scope_profile_read: '1', scope_measures_read: '1',
  });
  assert.equal(r.status, 303);

  const page = await newPage(browser);
  await signIn(page, server.url, 'caregiver');
  await page.goto(`${server.url}/patients/${pid}/readings`);
  await page.getByRole('heading', { name: 'Readings', level: 1 }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Save the reading' }).count(), 0);
  await checkA11y(page, 'readings (read-only caregiver)');
  await page.goto(`${server.url}/patients/${pid}/targets`);
  assert.equal(await page.getByRole('button', { name: /Save the target|I agree/ }).count(), 0);
  assert.equal((await page.goto(`${server.url}/patients/${pid}/readings/import`)).status(), 403);
  assert.equal((await page.goto(`${server.url}/alerts`)).status(), 403);

  const c = new Client(server.url);
  await c.signIn('caregiver');
  const csrf = await c.csrf(`/patients/${pid}/readings`);
  const alert = query(server, `SELECT CAST(id AS TEXT) AS id FROM measure_alert WHERE patient_id = ${pid} AND status = 'open' LIMIT 1`)[0];
  assert.ok(alert, 'the demo has an open alert');
  const version = query(server, `SELECT version FROM measure_target WHERE patient_id = ${pid} AND measure = 'blood-pressure'`)[0].version;
  const before = measuresSnapshot();
  for (const [path, fields] of [
    [`/patients/${pid}/readings`, { kind: 'weight', value: '80', unit: 'kg', date: ago(41), time: '08:00' }],
    [`/patients/${pid}/targets`, { step: 'save', measure: 'weight', version: '0', low: '60', high: '90', advice: 'x' }],
    [`/patients/${pid}/targets`, { step: 'agree', measure: 'blood-pressure', version: String(version) }],
    [`/alerts/${alert.id}/close`, { note: 'closed by a caregiver' }],
  ]) {
    r = await c.post(path, { csrf, ...fields });
    assert.equal(r.status, 403, path);
  }
  const fd = new FormData();
  fd.set('csrf', csrf);
  fd.set('step', 'preview');
  fd.set('file', new Blob([CSV], { type: 'text/csv' }), 'x.csv');
  r = await c.request(`/patients/${pid}/readings/import`, { method: 'POST', body: fd });
  assert.equal(r.status, 403, 'import');
  assert.equal(measuresSnapshot(), before, 'nothing changed');
  await page.context().close();
});

for (const locale of ['en-GB', 'es-ES']) {
  test(`the readings pages pass axe-core in ${locale}`, async () => {
    const page = await newPage(browser, { locale });
    await signIn(page, server.url, 'doctor');
    for (const path of [`/patients/${pid}/readings`, `/patients/${pid}/readings?all=blood-pressure`,
      `/patients/${pid}/readings/import`, `/patients/${pid}/targets`,
      `/patients/${pid}/targets?measure=weight`, '/alerts']) {
      const res = await page.goto(server.url + path);
      assert.equal(res.status(), 200, path);
      await checkA11y(page, `${locale} ${path}`);
      if (locale === 'es-ES')
        assert.equal(await page.getAttribute('html', 'lang'), 'es', path);
    }
    await page.context().close();
  });
}
