// Appointments in a real browser: the patient books, moves and cancels;
// a professional adds times and records a no-show; two people booking
// the same time at the same moment (on SQLite, and on PostgreSQL through
// two cocare processes): one wins, the other is told so and nothing of
// theirs is stored; axe-core on every page at 360 px and on a desktop,
// in English and Spanish; bad input gets a clear 4xx and changes
// nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  startServer, serveOn, launchBrowser, newPage, signIn, checkA11y, Client,
  patientId, query, snapshot, pgConninfo,
} from './lib.mjs';

let server, browser, pid;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  pid = patientId(server);
});
after(async () => { await browser?.close(); await server?.stop(); });

const DAY = 86400;

function one(sql, srv = server) {
  const rows = query(srv, sql);
  assert.ok(rows.length, `no row for ${sql}`);
  return rows[0].id;
}

function accountId(username) {
  return one(`SELECT CAST(id AS TEXT) AS id FROM account WHERE username = '${username}'`);
}

// What an appointment request could change besides the foundation's
// tables: appointments, slots, rules and the outbox.
function appointmentState(srv = server) {
  return execFileSync('sqlite3', ['-readonly', `${srv.dir}/cocare.db`,
    'SELECT * FROM appointment ORDER BY 1; SELECT * FROM appointment_slot ORDER BY 1; '
    + 'SELECT * FROM appointment_rule ORDER BY 1; SELECT * FROM outbox ORDER BY 1;'],
  { encoding: 'utf8', maxBuffer: 1 << 30 });
}

function state() {
  return snapshot(server) + appointmentState();
}

// An open slot of the doctor that the patient may book now (the
// unit's rules: at least 24 h ahead, at most 60 days), skipping `skip`.
function openSlot(skip = []) {
  const now = Math.floor(Date.now() / 1000);
  const doctor = accountId('doctor');
  const rows = query(server, `SELECT CAST(id AS TEXT) AS id FROM appointment_slot WHERE professional_id = ${doctor} `
    + `AND status = 'open' AND starts_at > ${now + 2 * DAY} AND starts_at < ${now + 50 * DAY} ORDER BY starts_at`);
  const row = rows.find((r) => !skip.includes(r.id));
  assert.ok(row, 'no open slot of the doctor');
  return row.id;
}

test('the patient books, moves and cancels an appointment', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(`${server.url}/appointments`);
  await page.getByRole('link', { name: 'Book an appointment' }).click();
  const first = openSlot();
  await page.locator(`input[name="slot"][value="${first}"]`).check();
  await page.locator('#reason').fill('My knee hurts when I walk');
  await page.getByRole('button', { name: 'Book this time' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.textContent('main'), /The appointment is booked/);
  assert.match(await page.textContent('main'), /My knee hurts/);
  const id = page.url().match(/\/appointments\/(\d+)(\?|$)/)[1];
  let row = query(server, `SELECT CAST(slot_id AS TEXT) AS slot, status, channel FROM appointment WHERE id = ${id}`)[0];
  assert.deepEqual(row, { slot: first, status: 'booked', channel: 'web' });

  // Move it: the old time is open again in the same write.
  await page.getByRole('link', { name: 'Move to another time' }).click();
  const second = openSlot([first]);
  await page.locator(`input[name="slot"][value="${second}"]`).check();
  await page.getByRole('button', { name: 'Move to this time' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.textContent('main'), /moved to the new time/);
  row = query(server, `SELECT CAST(slot_id AS TEXT) AS slot, status, moved_count FROM appointment WHERE id = ${id}`)[0];
  assert.deepEqual(row, { slot: second, status: 'booked', moved_count: 1 });
  assert.equal(query(server, `SELECT status FROM appointment_slot WHERE id = ${first}`)[0].status, 'open');

  // Cancel: not late (days ahead), the slot open again, shown as cancelled.
  await page.getByRole('button', { name: 'Cancel the appointment' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.textContent('main'), /The appointment is cancelled\./);
  row = query(server, `SELECT status, late_cancel FROM appointment WHERE id = ${id}`)[0];
  assert.deepEqual(row, { status: 'cancelled', late_cancel: 0 });
  assert.equal(query(server, `SELECT status FROM appointment_slot WHERE id = ${second}`)[0].status, 'open');
  await page.goto(`${server.url}/appointments`);
  assert.match(await page.textContent('main'), /Cancelled/);
  // A touchpoint for each step, started by the patient.
  const tps = query(server, `SELECT COUNT(*) AS n FROM touchpoint WHERE kind = 'appointment' AND patient_id = ${pid} `
    + `AND at_ms >= ${(Math.floor(Date.now() / 1000) - 600) * 1000}`)[0].n;
  assert.ok(tps >= 3, `touchpoints: ${tps}`);
  await page.context().close();
});

test('a professional adds times and records a no-show', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'doctor');
  const doctor = accountId('doctor');
  const before = query(server, `SELECT COUNT(*) AS n FROM appointment_slot WHERE professional_id = ${doctor}`)[0].n;
  await page.goto(`${server.url}/appointments`);
  await page.getByRole('link', { name: 'Add times for appointments' }).first().click();
  // A Monday afternoon in five weeks, 13:00-14:00 in 20 minutes, 2 weeks.
  const d = new Date(Date.now() + 35 * DAY * 1000);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
  const day = d.toISOString().slice(0, 10);
  await page.locator('#day').fill(day);
  await page.locator('#start').fill('13:00');
  await page.locator('#end').fill('14:00');
  await page.locator('#length').fill('20');
  await page.locator('#weeks').fill('2');
  await page.locator('input[name="modality"][value="phone"]').check();
  await page.getByRole('button', { name: 'Add these times' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.textContent('main'), /The times are added/);
  const after = query(server, `SELECT COUNT(*) AS n FROM appointment_slot WHERE professional_id = ${doctor}`)[0].n;
  assert.equal(after - before, 6);

  // A booked appointment of the last week, not marked yet.
  const now = Math.floor(Date.now() / 1000);
  const row = query(server, `SELECT CAST(id AS TEXT) AS id, starts_at FROM appointment WHERE professional_id = ${doctor} `
    + `AND status = 'booked' AND starts_at < ${now} ORDER BY starts_at DESC LIMIT 1`)[0];
  assert.ok(row, 'no appointment to mark');
  const date = new Date(row.starts_at * 1000).toISOString().slice(0, 10);
  await page.goto(`${server.url}/appointments?day=${date}`);
  await page.locator(`form[action="/appointments/${row.id}/mark"] button[value="no_show"]`).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.textContent('main'), /Attendance is recorded/);
  assert.equal(query(server, `SELECT status FROM appointment WHERE id = ${row.id}`)[0].status, 'no_show');
  await page.context().close();
});

// Books `slot` through two clients at the same moment. Returns the
// responses.
async function race(a, b, slot, pidA, pidB) {
  const [csrfA, csrfB] = await Promise.all([
    a.csrf(`/patients/${pidA}/appointments/new`), b.csrf(`/patients/${pidB}/appointments/new`)]);
  return Promise.all([
    a.post(`/patients/${pidA}/appointments/new`, { csrf: csrfA, slot, reason: '' }),
    b.post(`/patients/${pidB}/appointments/new`, { csrf: csrfB, slot, reason: '', channel: 'phone' }),
  ]);
}

function checkRace(results, booked) {
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [303, 409], `statuses ${statuses}`);
  const loser = results.find((r) => r.status === 409);
  assert.match(loser.text_, /Someone else booked this time a moment ago\. Nothing was booked for you/);
  assert.equal(booked, 1);
}

test('two people book the same time at once on SQLite: one wins, the other is told', async () => {
  const other = one(`SELECT CAST(t.patient_id AS TEXT) AS id FROM care_team_member t JOIN account a ON a.id = t.account_id `
    + `WHERE a.username = 'doctor' AND t.patient_id <> ${pid} LIMIT 1`);
  const a = new Client(server.url);
  const b = new Client(server.url);
  await a.signIn('patient');
  await b.signIn('reception');
  const used = [];
  for (let i = 0; i < 4; i++) {
    const slot = openSlot(used);
    used.push(slot);
    const results = await race(a, b, slot, pid, other);
    const n = query(server, `SELECT COUNT(*) AS n FROM appointment WHERE slot_id = ${slot} AND status = 'booked'`)[0].n;
    checkRace(results, n);
  }
  // Reception's bookings were asked for by phone: the patient's touchpoints
  // on the phone channel, the appointments marked so.
  if (!query(server, `SELECT id FROM appointment WHERE patient_id = ${other} AND slot_id IN (${used.join(',')})`).length) {
    const slot = openSlot(used);
    used.push(slot);
    const res = await b.post(`/patients/${other}/appointments/new`,
      { csrf: await b.csrf(`/patients/${other}/appointments/new`), slot, channel: 'phone' });
    assert.equal(res.status, 303);
  }
  const phone = query(server, `SELECT CAST(id AS TEXT) AS id FROM appointment WHERE patient_id = ${other} AND channel = 'phone' `
    + `AND slot_id IN (${used.join(',')})`);
  assert.ok(phone.length);
  for (const { id } of phone) {
    const tp = query(server, `SELECT channel, initiator_side FROM touchpoint WHERE resource_id = '${id}' AND kind = 'appointment'`);
    assert.deepEqual(tp, [{ channel: 'phone', initiator_side: 'patient' }]);
  }
});

test('two cocare processes on PostgreSQL book the same time at once: one wins',
  { skip: !pgConninfo && 'no PostgreSQL server (run through scripts/with-postgres)' }, async () => {
    const first = await startServer({ backend: 'pg' });
    const second = await serveOn(first.dir, { args: first.dbArgs });
    const conninfo = first.dbArgs[1];
    const psql = (sql) => execFileSync('psql', [conninfo, '-At', '-c', sql], { encoding: 'utf8' }).trim();
    try {
      const me = psql("SELECT patient_id FROM account WHERE username = 'patient'");
      const other = psql(`SELECT t.patient_id FROM care_team_member t JOIN account a ON a.id = t.account_id `
        + `WHERE a.username = 'doctor' AND t.patient_id <> ${me} LIMIT 1`);
      const now = Math.floor(Date.now() / 1000);
      const slots = psql(`SELECT s.id FROM appointment_slot s JOIN account a ON a.id = s.professional_id `
        + `WHERE a.username = 'doctor' AND s.status = 'open' AND s.starts_at > ${now + 2 * DAY} `
        + `AND s.starts_at < ${now + 50 * DAY} ORDER BY s.starts_at LIMIT 4`).split('\n');
      assert.equal(slots.length, 4);
      const a = new Client(first.url);
      const b = new Client(second.url);
      await a.signIn('patient');
      await b.signIn('reception');
      for (const slot of slots) {
        const results = await race(a, b, slot, me, other);
        const n = Number(psql(`SELECT COUNT(*) FROM appointment WHERE slot_id = ${slot} AND status = 'booked'`));
        checkRace(results, n);
        assert.equal(psql(`SELECT status FROM appointment_slot WHERE id = ${slot}`), 'booked');
      }
    } finally {
      await second.stop();
      await first.stop();
    }
  });

function pages(user) {
  const doctor = accountId('doctor');
  const appt = one(`SELECT CAST(id AS TEXT) AS id FROM appointment WHERE patient_id = ${pid} AND status = 'booked' `
    + `AND professional_id = ${doctor} ORDER BY starts_at LIMIT 1`);
  const past = one(`SELECT CAST(id AS TEXT) AS id FROM appointment WHERE patient_id = ${pid} AND status = 'attended' LIMIT 1`);
  const unit = one('SELECT CAST(id AS TEXT) AS id FROM unit ORDER BY name LIMIT 1');
  switch (user) {
    case 'patient':
      return ['/appointments', `/patients/${pid}/appointments/new`, `/appointments/${appt}`,
        `/appointments/${appt}/move`, `/appointments/${past}`];
    case 'doctor':
      return ['/appointments', '/appointments?view=week', '/appointments/slots/new',
        `/patients/${pid}/appointments`, `/patients/${pid}/appointments/new`, `/appointments/${appt}`];
    case 'caregiver':
      return ['/appointments'];
    case 'reception':
      return ['/appointments', '/appointments/slots/new', `/patients/${pid}`, `/patients/${pid}/appointments/new?consultation=1`];
    default:
      return ['/admin/appointments', `/admin/appointments/${unit}`];
  }
}

for (const locale of ['en-GB', 'es-ES']) {
  for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 900 }]) {
    test(`appointment pages pass axe-core (${locale}, ${viewport.width} px)`, async () => {
      for (const user of ['patient', 'caregiver', 'doctor', 'reception', 'admin']) {
        const page = await newPage(browser, { locale, viewport });
        await signIn(page, server.url, user);
        for (const path of pages(user)) {
          const res = await page.goto(server.url + path);
          assert.equal(res.status(), 200, `${user} ${path}`);
          await checkA11y(page, `${user} ${locale} ${viewport.width} ${path}`);
          if (locale === 'es-ES')
            assert.equal(await page.getAttribute('html', 'lang'), 'es', path);
          if (viewport.width === 360) {
            const wide = await page.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(wide <= 360, `${user} ${path} is ${wide} px wide at 360 px`);
          }
        }
        // A form sent back with problems is accessible too.
        if (user === 'doctor') {
          await page.goto(`${server.url}/appointments/slots/new`);
          await page.locator('#day').fill('2020-01-01');
          await page.locator('form.form[action="/appointments/slots/new"] button[type="submit"]').click();
          await page.waitForLoadState('domcontentloaded');
          assert.ok(await page.locator('.error-summary').count());
          await checkA11y(page, `doctor ${locale} slots form with problems`);
        }
        await page.context().close();
      }
    });
  }
}

test('bad input gets a clear 4xx and changes nothing', async () => {
  const patient = new Client(server.url);
  const doctor = new Client(server.url);
  const reception = new Client(server.url);
  const carer = new Client(server.url);
  await patient.signIn('patient');
  await doctor.signIn('doctor');
  await reception.signIn('reception');
  await carer.signIn('caregiver');
  const now = Math.floor(Date.now() / 1000);
  const doctorId = accountId('doctor');
  const nurseId = accountId('nurse');
  const mine = one(`SELECT CAST(id AS TEXT) AS id FROM appointment WHERE patient_id = ${pid} AND status = 'booked' `
    + `AND starts_at > ${now} LIMIT 1`);
  const theirs = one(`SELECT CAST(id AS TEXT) AS id FROM appointment WHERE patient_id <> ${pid} AND status = 'booked' `
    + `AND starts_at > ${now} LIMIT 1`);
  const farSlot = one(`SELECT CAST(id AS TEXT) AS id FROM appointment_slot WHERE professional_id = ${doctorId} `
    + `AND status = 'open' AND starts_at > ${now + 62 * DAY} LIMIT 1`);
  const nurseSlot = one(`SELECT CAST(id AS TEXT) AS id FROM appointment_slot WHERE professional_id = ${nurseId} `
    + `AND status = 'open' AND starts_at > ${now} LIMIT 1`);
  const slot = openSlot();
  const unit = one('SELECT CAST(id AS TEXT) AS id FROM unit LIMIT 1');
  const book = `/patients/${pid}/appointments/new`;
  const pCsrf = await patient.csrf(book);
  const dCsrf = await doctor.csrf('/appointments/slots/new');
  const rCsrf = await reception.csrf('/appointments/slots/new');
  const cCsrf = await carer.csrf('/account');
  const goodSlots = { csrf: dCsrf, day: new Date((now + 20 * DAY) * 1000).toISOString().slice(0, 10),
    start: '07:00', end: '08:00', length: '20', weeks: '1', modality: 'phone', place: '', link: '' };
  const cases = [
    // impossible dates, times in the past, nonsense numbers
    [doctor, '/appointments/slots/new', { ...goodSlots, day: '2027-02-30' }, 400, /Enter a date/],
    [doctor, '/appointments/slots/new', { ...goodSlots, day: '2027-13-01' }, 400, /Enter a date/],
    [doctor, '/appointments/slots/new', { ...goodSlots, day: '2020-01-07' }, 400, /have not passed yet/],
    [doctor, '/appointments/slots/new', { ...goodSlots, start: '25:00' }, 400, /start time/],
    [doctor, '/appointments/slots/new', { ...goodSlots, end: '06:00' }, 400, /end time after the start/],
    [doctor, '/appointments/slots/new', { ...goodSlots, length: '-20' }, 400, /slot length/],
    [doctor, '/appointments/slots/new', { ...goodSlots, weeks: '9999999999999999999999' }, 400, /how many weeks/],
    // unknown modality, overlong or hostile text
    [doctor, '/appointments/slots/new', { ...goodSlots, modality: 'telepathy' }, 400, /by video link/],
    [doctor, '/appointments/slots/new', { ...goodSlots, modality: 'in_person', place: 'x'.repeat(201) }, 400, /at most 200/],
    [doctor, '/appointments/slots/new', { ...goodSlots, modality: 'video', link: 'javascript:alert(1)' }, 400, /https:\/\//],
    [reception, '/appointments/slots/new', { ...goodSlots, csrf: rCsrf, professional: accountId('reception') }, 400, /Choose whose times/],
    [patient, book, { csrf: pCsrf, slot, reason: 'x'.repeat(501) }, 400, /at most 500/],
    [patient, book, { csrf: pCsrf, slot: 'abc' }, 400, /Choose a time/],
    [doctor, book, { csrf: dCsrf, slot, channel: 'pigeon' }, 400, /how the patient asked/],
    // outside the unit's rules: more than 60 days ahead
    [patient, book, { csrf: pCsrf, slot: farSlot }, 403, /further ahead than you can book online/],
    [patient, book, { csrf: pCsrf, slot: '123' }, 404, /not offered to you/],
    // another patient's appointment, or a caregiver without that access
    [patient, `/appointments/${theirs}/cancel`, { csrf: pCsrf }, 403, /do not have access/],
    [patient, `/appointments/${theirs}/move`, { csrf: pCsrf, slot }, 403, /do not have access/],
    [patient, `/patients/${one(`SELECT CAST(patient_id AS TEXT) AS id FROM appointment WHERE id = ${theirs}`)}/appointments/new`,
      { csrf: pCsrf, slot }, 403, /do not have access/],
    [carer, book, { csrf: cCsrf, slot }, 403, /do not have access/],
    [carer, `/appointments/${mine}/cancel`, { csrf: cCsrf }, 403, /do not have access/],
    // what only staff, or only administrators, do
    [patient, `/appointments/${mine}/mark`, { csrf: pCsrf, outcome: 'attended' }, 403, /do not have access/],
    [patient, '/appointments/slots/new', { ...goodSlots, csrf: pCsrf }, 403, /do not have access/],
    [reception, `/admin/appointments/${unit}`, { csrf: rCsrf, book_ahead_days: '5' }, 403, /do not have access/],
    [doctor, `/appointments/slots/${nurseSlot}/withdraw`, { csrf: dCsrf }, 403, /do not have access/],
    [doctor, `/appointments/${mine}/mark`, { csrf: dCsrf, outcome: 'attended' }, 403, /only once the appointment has started/],
    [doctor, `/appointments/${mine}/mark`, { csrf: dCsrf, outcome: 'maybe' }, 400, /not valid/],
    [doctor, `/appointments/${mine}/cancel`, { csrf: dCsrf, channel: 'carrier' }, 400, /not valid/],
    // missing or wrong CSRF
    [patient, book, { slot }, 403, /form has expired/],
    [patient, `/appointments/${mine}/cancel`, { csrf: '0'.repeat(64) }, 403, /form has expired/],
    // ids that are not ids
    [patient, '/appointments/0/cancel', { csrf: pCsrf }, 404, /not found/],
    [patient, '/appointments/99999999999999999999999/cancel', { csrf: pCsrf }, 404, /not found/],
  ];
  const admin = new Client(server.url);
  await admin.signIn('admin');
  const aCsrf = await admin.csrf(`/admin/appointments/${unit}`);
  cases.push([admin, `/admin/appointments/${unit}`, { csrf: aCsrf, book_ahead_days: 'abc', min_notice_hours: '24',
    cancel_notice_hours: '2', late_cancel_hours: '24', reminder_hours: '24', patients_book: 'yes' }, 400, /from 1 to 365/]);
  cases.push([admin, '/admin/appointments/12345', { csrf: aCsrf }, 404, /not found/]);

  const before = state();
  for (const [client, path, fields, status, text] of cases) {
    const res = await client.post(path, fields);
    assert.equal(res.status, status, `${path} ${JSON.stringify(fields).slice(0, 120)}: ${res.status}`);
    assert.match(res.text_, text, `${path} ${JSON.stringify(fields).slice(0, 120)}`);
  }
  const bad = await doctor.request('/appointments?day=2027-02-30');
  assert.equal(bad.status, 400);
  assert.equal(state(), before);
});
