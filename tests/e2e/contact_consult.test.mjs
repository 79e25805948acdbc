// Online consultations in a real browser: a patient sends a request, hits
// a red flag on a second one (sees the emergency advice, and it is
// recorded), staff triage and reply, the patient sees the reply and rates
// it; the service switched off shows its message; axe-core at 360 px and
// on a desktop, in English and Spanish; and bad input (unknown kind,
// oversized answers, no CSRF token, another patient's request, a patient
// triaging, a double submit) is refused or answered once, with nothing
// else changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, checkA11y, patientId, query, snapshot, Client } from './lib.mjs';

let server, browser, pid;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  pid = patientId(server);
});
after(async () => { await browser?.close(); await server?.stop(); });

const CONSULT_TABLES = ['consultation', 'consultation_step', 'consultation_rating',
  'consult_form', 'contact_service', 'contact_holiday', 'outbox'];

// The shared snapshot plus the tables of online consultations.
function snap() {
  const rows = CONSULT_TABLES.map((t) => JSON.stringify(query(server, `SELECT * FROM ${t} ORDER BY 1`)));
  return snapshot(server) + rows.join('\n');
}

function one(sql) {
  const rows = query(server, sql);
  assert.ok(rows.length, `no row for ${sql}`);
  return rows[0];
}

function consultCount() {
  return Number(one(`SELECT COUNT(*) AS n FROM consultation WHERE patient_id = ${pid}`).n);
}

// The id of the patient's newest request (as text: ids are 62-bit).
function newest() {
  return one(`SELECT CAST(id AS TEXT) AS id, status, first_response_at, outcome FROM consultation WHERE patient_id = ${pid} ORDER BY submitted_at DESC, rowid DESC LIMIT 1`);
}

test('a patient asks, staff triage and reply, the patient reads it and rates it', async () => {
  const before = consultCount();
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(server.url + '/consult');
  await page.locator('.consult-kinds a', { hasText: 'A new problem' }).click();
  // Red flags first: every one answered no.
  const flags = await page.locator('input[type=radio][value=no]').count();
  assert.ok(flags >= 1, 'red-flag questions come first');
  assert.equal(await page.locator('textarea').count(), 0, 'no questions before the red flags');
  for (let i = 0; i < flags; i++)
    await page.locator('input[type=radio][value=no]').nth(i).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('#answer1').fill('A red itchy rash on my arm since Sunday.');
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.waitForURL(/\/consult\/\d+/);
  assert.match(await page.content(), /Your request is sent/);
  assert.match(await page.content(), /Sent, waiting to be looked at/);
  const sent = newest();
  assert.equal(sent.status, 'submitted');
  assert.equal(consultCount(), before + 1);
  assert.ok(page.url().endsWith(`/consult/${sent.id}?done=consult-sent`));

  // A second one: a red flag stops the form and shows the advice.
  await page.goto(server.url + '/consult');
  await page.locator('.consult-kinds a', { hasText: 'A question about my condition' }).click();
  await page.locator('input[type=radio][value=yes]').first().check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/consult\/\d+$/);
  assert.match(await page.content(), /Get help now/);
  assert.match(await page.content(), /emergency/i);
  const red = newest();
  assert.equal(red.status, 'red_flag');
  assert.equal(consultCount(), before + 2);
  const tp = one(`SELECT COUNT(*) AS n FROM touchpoint WHERE resource_id = '${red.id}' AND kind = 'consultation'`);
  assert.equal(Number(tp.n), 1, 'the red-flag stop is a touchpoint');

  // Staff: the queue, triage, a reply that closes it.
  const staff = await newPage(browser);
  await signIn(staff, server.url, 'doctor');
  await staff.goto(server.url + '/triage');
  assert.match(await staff.content(), /Requests/);
  await staff.goto(server.url + `/triage/${sent.id}`);
  assert.match(await staff.content(), /A red itchy rash/);
  await staff.locator('#priorities-urgent').check();
  await staff.getByRole('button', { name: 'Save the triage' }).click();
  await staff.waitForURL(/done=saved/);
  assert.equal(one(`SELECT status FROM consultation WHERE id = ${sent.id}`).status, 'triaged');
  assert.equal(Number(one(`SELECT first_response_at AS t FROM consultation WHERE id = ${sent.id}`).t), 0,
    'triage is not a first response');
  await staff.locator('#reply').fill('Please use an unscented cream twice a day and send a photo if it spreads.');
  await staff.getByRole('button', { name: 'Send the reply' }).click();
  await staff.waitForURL(/done=consult-answered/);
  const done = one(`SELECT status, outcome, first_response_at AS t FROM consultation WHERE id = ${sent.id}`);
  assert.equal(done.status, 'closed');
  assert.equal(done.outcome, 'reply');
  assert.ok(Number(done.t) > 0);

  // The patient reads the reply and rates it.
  await page.goto(server.url + `/consult/${sent.id}`);
  assert.match(await page.content(), /unscented cream/);
  assert.match(await page.content(), /The team answered/);
  await page.locator('#ease4').check();
  await page.locator('#helped5').check();
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.waitForURL(/done=consult-rated/);
  const rating = one(`SELECT ease, helped FROM consultation_rating WHERE consultation_id = ${sent.id}`);
  assert.deepEqual([Number(rating.ease), Number(rating.helped)], [4, 5]);
  await page.context().close();
  await staff.context().close();
});

test('staff record a request that came by phone into the same queue', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'reception');
  await page.goto(server.url + `/patients/${pid}/consult/new`);
  await page.locator('#kind').selectOption('prescription');
  await page.locator('#channels-phone').check();
  await page.locator('#answer1').fill('Needs her inhaler repeated before Friday.');
  await page.getByRole('button', { name: 'Record the request' }).click();
  await page.waitForURL(/\/triage\/\d+\?done=consult-recorded/);
  const r = newest();
  const row = one(`SELECT channel, status FROM consultation WHERE id = ${r.id}`);
  assert.equal(row.channel, 'phone');
  const tp = one(`SELECT channel, initiator_side FROM touchpoint WHERE resource_id = '${r.id}'`);
  assert.deepEqual([tp.channel, tp.initiator_side], ['phone', 'patient']);
  await page.goto(server.url + '/triage');
  assert.match(await page.content(), /By phone/);
  await page.context().close();
});

test('bad input is refused and changes nothing; a double submit is one request', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf('/consult');
  const expect = async (fn, status) => {
    const s = snap();
    const res = await fn();
    assert.equal(res.status, status, res.text_.slice(0, 300));
    assert.equal(snap(), s, 'stored data must not change');
    return res;
  };
  await expect(() => c.request('/consult/new?kind=nonsense'), 400);
  await expect(() => c.post('/consult/new', { csrf, kind: 'nonsense', key: 'k'.repeat(32), step: 'details', answer1: 'x' }), 400);
  await expect(() => c.post('/consult/new', { kind: 'admin', key: 'k'.repeat(32), step: 'details', flag1: 'no', answer1: 'x' }), 403);
  const big = await expect(() => c.post('/consult/new', { csrf, kind: 'admin', key: 'b'.repeat(32), step: 'details', flag1: 'no', answer1: 'x'.repeat(2001) }), 400);
  assert.match(big.text_, /x{2001}/, 'what was typed is kept');
  // A request of another patient, recorded by the desk.
  const desk = new Client(server.url);
  await desk.signIn('reception');
  const other = one("SELECT CAST(patient_id AS TEXT) AS id FROM account WHERE username = 'p002'").id;
  const dcsrf = await desk.csrf(`/patients/${other}/consult/new`);
  const rec = await desk.post(`/patients/${other}/consult/new`, { csrf: dcsrf, kind: 'admin', channel: 'desk', priority: 'routine', answer1: 'A letter for work', key: 'desk'.repeat(8) });
  assert.equal(rec.status, 303);
  const theirs = one(`SELECT CAST(id AS TEXT) AS id FROM consultation WHERE patient_id = ${other} ORDER BY submitted_at DESC LIMIT 1`).id;
  const r = await expect(() => c.request(`/consult/${theirs}`), 403);
  assert.ok(!/A letter for work/.test(r.text_));
  await expect(() => c.post(`/consult/${theirs}/add`, { csrf, text: 'mine now' }), 403);
  // A patient cannot triage, reply or see the queue.
  await expect(() => c.request('/triage'), 403);
  await expect(() => c.post(`/triage/${theirs}/triage`, { csrf, priority: 'urgent' }), 403);
  await expect(() => c.post(`/triage/${theirs}/reply`, { csrf, text: 'hi', close: 'yes' }), 403);
  await expect(() => c.request('/admin/contact'), 403);

  // The same form sent twice: one request, both answers lead to it.
  const before = consultCount();
  const fields = { csrf, kind: 'admin', key: 'twice'.repeat(6) + 'ab', step: 'details', flag1: 'no', answer1: 'A copy of my letter' };
  const [a, b] = await Promise.all([c.post('/consult/new', fields), c.post('/consult/new', fields)]);
  assert.equal(a.status, 303);
  assert.equal(b.status, 303);
  assert.equal(a.headers.get('location').split('?')[0], b.headers.get('location').split('?')[0]);
  const again = await c.post('/consult/new', fields);
  assert.equal(again.headers.get('location').split('?')[0], a.headers.get('location').split('?')[0]);
  assert.equal(consultCount(), before + 1);
});

test('axe-core: every consultation page at 360 px and on a desktop, in English and Spanish', async () => {
  const open = one(`SELECT CAST(id AS TEXT) AS id FROM consultation WHERE patient_id = ${pid} AND closed_at = 0 ORDER BY submitted_at DESC LIMIT 1`).id;
  const red = one(`SELECT CAST(id AS TEXT) AS id FROM consultation WHERE patient_id = ${pid} AND status = 'red_flag' LIMIT 1`).id;
  const closed = one(`SELECT CAST(id AS TEXT) AS id FROM consultation WHERE patient_id = ${pid} AND status = 'closed' LIMIT 1`).id;
  const pages = {
    patient: ['/consult', '/consult/new?kind=new_problem', `/consult/${open}`, `/consult/${red}`, `/consult/${closed}`],
    doctor: ['/triage', '/triage?show=mine', `/triage/${open}`, `/triage/${closed}`, `/patients/${pid}/consult/new`],
    reception: ['/triage'],
    admin: ['/admin/contact'],
  };
  for (const locale of ['en-GB', 'es-ES']) {
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 900 }]) {
      for (const [user, paths] of Object.entries(pages)) {
        const page = await newPage(browser, { locale, viewport });
        await signIn(page, server.url, user);
        for (const path of paths) {
          const res = await page.goto(server.url + path);
          assert.equal(res.status(), 200, `${user} ${path}`);
          await checkA11y(page, `${user} ${locale} ${viewport.width} ${path}`);
          if (locale === 'es-ES')
            assert.equal(await page.getAttribute('html', 'lang'), 'es', path);
        }
        if (user === 'patient') {
          // The second step of the form, and a form sent back with a problem.
          await page.goto(server.url + '/consult/new?kind=admin');
          await page.locator('input[type=radio][value=no]').first().check();
          await page.locator('form.form button[type=submit]').click();
          await page.waitForSelector('#answer1');
          await checkA11y(page, `patient ${locale} ${viewport.width} questions`);
          await page.locator('form.form button[type=submit]').click();
          await page.waitForSelector('.error-summary');
          await checkA11y(page, `patient ${locale} ${viewport.width} problems`);
        }
        await page.context().close();
      }
    }
  }
});

test('the service switched off shows its message instead of the form', async () => {
  const admin = await newPage(browser);
  await signIn(admin, server.url, 'admin');
  await admin.goto(server.url + '/admin/contact');
  await admin.locator('input[name=consult_open]').uncheck();
  await admin.locator('#closed_message').fill('Online requests are paused for staff training today. Please phone us.');
  await admin.getByRole('button', { name: 'Save the settings' }).click();
  await admin.waitForURL(/done=saved/);
  assert.equal(Number(one('SELECT consult_open AS o FROM contact_service').o), 0);

  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(server.url + '/consult');
  assert.match(await page.content(), /paused for staff training/);
  assert.equal(await page.locator('.consult-kinds a').count(), 0);
  await page.goto(server.url + '/consult/new?kind=new_problem');
  assert.match(await page.content(), /paused for staff training/);
  assert.equal(await page.locator('input[type=radio]').count(), 0);
  await checkA11y(page, 'closed service');
  // A form opened before it closed is refused, and nothing is stored.
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf('/consult');
  const before = snap();
  const res = await c.post('/consult/new', { csrf, kind: 'admin', key: 'closed'.repeat(6), step: 'details', flag1: 'no', answer1: 'Hello' });
  assert.equal(res.status, 409);
  assert.match(res.text_, /paused for staff training/);
  assert.equal(snap(), before);

  // Switched on again.
  await admin.goto(server.url + '/admin/contact');
  await admin.locator('input[name=consult_open]').check();
  await admin.getByRole('button', { name: 'Save the settings' }).click();
  await admin.waitForURL(/done=saved/);
  await page.goto(server.url + '/consult');
  assert.equal(await page.locator('.consult-kinds a').count(), 4);
  await admin.context().close();
  await page.context().close();
});
