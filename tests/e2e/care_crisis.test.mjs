// "What matters to me" and the crisis plan in Debian's chromium: the
// patient opens the crisis plan from the home page, prints it (print
// stylesheet) and downloads the pocket card; professional and patient
// edit it and the history shows both voices and the difference; words
// written with the patient wait for the patient's confirmation, and a
// professional without the patient is refused; two people editing at
// once get the merge view with nothing lost; a read-only caregiver
// cannot change anything; bad input changes nothing. axe-core on each
// page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const SECTIONS = ['warning_signs', 'coping', 'distractions', 'help_people', 'professionals',
  'safe_environment', 'reasons_for_living', 'what_helps', 'what_does_not_help',
  'who_to_contact', 'treatment_preferences'];
const PARTS = ['what_matters', 'good_day', 'strengths', 'know_about_me'];

// Everything these parts store, to prove a refused request changed nothing.
function stored() {
  return JSON.stringify([
    query(server, `SELECT * FROM crisis_plan WHERE patient_id = ${pid}`),
    query(server, `SELECT * FROM what_matters WHERE patient_id = ${pid}`),
    query(server, `SELECT subject_type, version, voice, change, fields FROM care_version WHERE patient_id = ${pid} AND subject_type IN ('crisis', 'matters') ORDER BY subject_type, version`),
  ]) + snapshot(server);
}

function unescapeHtml(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

// The edit form of `part` ("crisis" or "matters") as the client sees it.
async function openForm(c, part) {
  const res = await c.request(`/patients/${pid}/${part}/edit`);
  assert.equal(res.status, 200, `${part} form: ${res.status}`);
  const fields = {
    csrf: res.text_.match(/name="csrf" value="([0-9a-f]{64})"/)[1],
    version: res.text_.match(/name="version" value="(\d+)"/)[1],
  };
  for (const m of res.text_.matchAll(/<textarea id="(\w+)" name="\w+"[^>]*>([\s\S]*?)<\/textarea>/g))
    fields[m[1]] = unescapeHtml(m[2]);
  return fields;
}

function crisisRow() {
  return query(server, `SELECT * FROM crisis_plan WHERE patient_id = ${pid}`)[0];
}

test('the patient opens the crisis plan from the home page, prints it and downloads the card', async () => {
  const page = await newPage(browser, { acceptDownloads: true });
  await signIn(page, server.url, 'patient');
  await page.getByRole('link', { name: 'My crisis plan' }).click();
  await page.getByRole('heading', { name: 'My crisis plan', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/patients/${pid}/crisis`);
  // Phone numbers are large tel: links, the emergency number too.
  const crisisLine = page.locator('a.tel[href="tel:08005550199"]');
  assert.equal(await crisisLine.innerText(), '0800 555 0199');
  assert.ok(await page.locator('.crisis-emergency a[href="tel:999"]').isVisible());
  const px = await crisisLine.evaluate((a) => parseFloat(getComputedStyle(a).fontSize));
  assert.ok(px >= 22, `phone links are large (${px}px)`);
  assert.ok(await page.getByRole('heading', { name: 'My reasons for living' }).isVisible());
  await checkA11y(page, 'crisis plan (patient)');

  // Print: only the plan, in large text.
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.locator('nav[aria-label="Main"]').isHidden(), 'main navigation hidden');
  assert.ok(await page.locator('nav.care-nav').isHidden(), 'care navigation hidden');
  assert.ok(await page.getByRole('link', { name: 'Download pocket card (PDF)' }).isHidden());
  assert.ok(await page.locator('#crisis-plan').isVisible(), 'the plan is printed');
  assert.ok(await page.getByText('Lucía, my daughter:').isVisible());
  const printPx = await page.locator('#crisis-plan').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  assert.ok(printPx >= 21, `large print (${printPx}px)`);
  await page.emulateMedia({ media: 'screen' });
  assert.ok(await page.locator('nav[aria-label="Main"]').isVisible());

  // The pocket card.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download pocket card (PDF)' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'crisis-plan.pdf');
  const c = new Client(server.url);
  await c.signIn('patient');
  const res = await fetch(`${server.url}/patients/${pid}/crisis/card.pdf`, { headers: { cookie: c.cookieHeader() } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.equal(res.headers.get('content-disposition'), 'attachment; filename="crisis-plan.pdf"');
  assert.match(res.headers.get('cache-control') || '', /no-store/);
  const pdf = Buffer.from(await res.arrayBuffer());
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdf.length > 1000);
  // Rendered by poppler to PNG, the first page is not blank: the
  // browser decodes the PNG and counts the dark pixels.
  const dir = mkdtempSync(join(tmpdir(), 'cocare-card-'));
  writeFileSync(join(dir, 'card.pdf'), pdf);
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', join(dir, 'card.pdf'), join(dir, 'card')]);
  const png = readFileSync(join(dir, 'card.png'));
  rmSync(dir, { recursive: true, force: true });
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  const ink = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, img.width, img.height).data;
    let dark = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] < 384) dark++;
    return { dark, total: px.length / 4 };
  }, png.toString('base64'));
  assert.ok(ink.dark > ink.total * 0.005, `the card has text: ${ink.dark} of ${ink.total} pixels dark`);
  assert.ok(ink.dark < ink.total * 0.5, 'and is not a black page');
  const text = execFileSync('pdftotext', ['-', '-'], { input: pdf, encoding: 'utf8' });
  assert.match(text, /López/);
  // Reading the card is an audited read.
  const reads = query(server, `SELECT count(*) AS n FROM audit_event WHERE patient_id = ${pid} AND resource_type = 'CrisisPlan' AND action = 'read'`);
  assert.ok(reads[0].n >= 2);

  // The history and "what matters" pages of the patient.
  await page.goto(`${server.url}/patients/${pid}/crisis/history`);
  await page.getByRole('heading', { name: 'Changes to the crisis plan', level: 1 }).waitFor();
  await checkA11y(page, 'crisis history (patient)');
  await page.goto(`${server.url}/patients/${pid}/matters`);
  await page.getByRole('heading', { name: 'What matters to me', level: 1 }).waitFor();
  assert.ok(await page.getByText('My cat, Luna.').isVisible());
  await checkA11y(page, 'what matters (patient)');
  await page.goto(`${server.url}/patients/${pid}/matters/history`);
  assert.ok(await page.getByRole('cell', { name: 'Confirmed by the patient' }).isVisible());
  assert.ok(await page.getByRole('cell', { name: 'the patient (written with them, in their words)' }).isVisible());
  await checkA11y(page, 'what matters history (patient)');
  await page.context().close();
});

test('a patient without a crisis plan is offered to make one', async () => {
  // A demo patient with a login and no crisis plan (if there is one).
  const rows = query(server, `SELECT a.username FROM account a WHERE a.role = 'patient' AND a.patient_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM crisis_plan c WHERE c.patient_id = a.patient_id) LIMIT 1`);
  if (!rows.length) return;
  const page = await newPage(browser);
  await signIn(page, server.url, rows[0].username);
  await page.getByRole('link', { name: 'Make a crisis plan' }).click();
  await page.getByRole('link', { name: 'Make a crisis plan' }).waitFor();
  await checkA11y(page, 'no crisis plan yet');
  await page.getByRole('link', { name: 'Make a crisis plan' }).click();
  await page.getByRole('heading', { name: 'Make a crisis plan', level: 1 }).waitFor();
  await checkA11y(page, 'first crisis plan form');
  await page.context().close();
});

test('professional and patient edit the crisis plan; the history shows both voices and the difference', async () => {
  const doctor = await newPage(browser);
  await signIn(doctor, server.url, 'doctor');
  await doctor.goto(`${server.url}/patients/${pid}/crisis`);
  await doctor.getByRole('heading', { name: 'Crisis plan', level: 1 }).waitFor();
  // The professional sees plain-words advice on what the patient reads.
  assert.ok(await doctor.getByRole('heading', { name: 'Plain words check' }).isVisible());
  await checkA11y(doctor, 'crisis plan (professional)');
  await doctor.getByRole('link', { name: 'Change the plan' }).click();
  await doctor.getByRole('heading', { name: 'Change the crisis plan', level: 1 }).waitFor();
  await checkA11y(doctor, 'crisis plan form (professional)');
  const coping = doctor.getByLabel('Things I can do on my own to cope');
  await coping.fill((await coping.inputValue()) + '\nBreathing exercise: four in, four out');
  await doctor.getByRole('button', { name: 'Save the plan' }).click();
  await doctor.getByText('Your changes are saved.').waitFor();
  assert.ok(await doctor.getByText('Breathing exercise: four in, four out').isVisible());

  const patient = await newPage(browser);
  await signIn(patient, server.url, 'patient');
  await patient.goto(`${server.url}/patients/${pid}/crisis/edit`);
  const reasons = patient.getByLabel('My reasons for living');
  await reasons.fill((await reasons.inputValue()).replace('every summer', 'every single summer'));
  await patient.getByRole('button', { name: 'Save the plan' }).click();
  await patient.getByText('Your changes are saved.').waitFor();

  await patient.getByRole('link', { name: 'See all changes' }).click();
  const rows = patient.locator('tbody tr');
  assert.match(await rows.nth(0).innerText(), /María López[\s\S]*the patient/);
  assert.match(await rows.nth(1).innerText(), /Amara Okafor[\s\S]*a professional/);
  const diff = patient.getByRole('region', { name: /What changed from version/ });
  assert.equal(await diff.locator('ins').filter({ hasText: 'single' }).count(), 1);
  assert.equal(await diff.locator('ins').filter({ hasText: 'Breathing' }).count(), 0, 'only the last change by default');
  // Any two versions: both changes together.
  const to = Number(crisisRow().version);
  await patient.locator('#from').selectOption(String(to - 2));
  await patient.getByRole('button', { name: 'Show the difference' }).click();
  assert.equal(new URL(patient.url()).search, `?from=${to - 2}&to=${to}`);
  assert.equal(await diff.locator('ins').filter({ hasText: 'Breathing' }).count(), 1);
  assert.equal(await diff.locator('ins').filter({ hasText: 'single' }).count(), 1);
  await checkA11y(patient, 'crisis history comparing two versions');
  await doctor.context().close();
  await patient.context().close();
});

test('what matters: written with the patient by the nurse, then confirmed by the patient', async () => {
  const nurse = await newPage(browser);
  await signIn(nurse, server.url, 'nurse');
  await nurse.goto(`${server.url}/patients/${pid}/matters`);
  await nurse.getByRole('link', { name: 'Write it with María López' }).click();
  await checkA11y(nurse, 'what matters form (professional)');
  const before = stored();
  const strengths = nurse.getByLabel('My strengths');
  const typed = (await strengths.inputValue()) + '\nI can make anyone laugh.';
  await strengths.fill(typed);
  // Without the tick: refused, nothing lost, nothing stored.
  await nurse.getByRole('button', { name: 'Save' }).click();
  await nurse.getByRole('heading', { name: 'Please check the form' }).waitFor();
  assert.ok(await nurse.getByText("What matters to me is only ever in the patient's own words").first().isVisible());
  assert.equal(await strengths.inputValue(), typed);
  assert.equal(stored(), before);
  await checkA11y(nurse, 'what matters form refused');
  await nurse.getByLabel('I am writing this with María López, in their words').check();
  await nurse.getByRole('button', { name: 'Save' }).click();
  await nurse.getByText('Your changes are saved.').waitFor();
  assert.ok(await nurse.getByText("Written with María López by Tom Gallagher, in María López's words — waiting for María López to confirm").isVisible());
  assert.equal(await nurse.getByRole('button', { name: 'This is right' }).count(), 0, 'only the patient confirms');
  const row = query(server, `SELECT voice, written_with_patient, confirmed_ms FROM what_matters WHERE patient_id = ${pid}`)[0];
  assert.deepEqual([row.voice, row.written_with_patient, row.confirmed_ms], ['patient', 1, 0]);
  const prov = query(server, `SELECT voice FROM provenance WHERE patient_id = ${pid} AND resource_type = 'WhatMatters' ORDER BY at_ms DESC LIMIT 1`);
  assert.equal(prov[0].voice, 'patient');

  // The nurse cannot confirm for her.
  const nc = new Client(server.url);
  await nc.signIn('nurse');
  const version = query(server, `SELECT version FROM what_matters WHERE patient_id = ${pid}`)[0].version;
  const csrf = await nc.csrf(`/patients/${pid}/matters`);
  const refused = await nc.post(`/patients/${pid}/matters/confirm`, { csrf, version });
  assert.equal(refused.status, 403);

  const patient = await newPage(browser);
  await signIn(patient, server.url, 'patient');
  await patient.goto(`${server.url}/patients/${pid}/matters`);
  assert.ok(await patient.getByText('I can make anyone laugh.').isVisible());
  await checkA11y(patient, 'what matters waiting for confirmation');
  await patient.getByRole('button', { name: 'This is right' }).click();
  await patient.getByText('Your changes are saved.').waitFor();
  assert.ok(await patient.getByText(/María López confirmed it on/).isVisible());
  assert.equal(await patient.getByRole('button', { name: 'This is right' }).count(), 0);
  const after = query(server, `SELECT confirmed_ms FROM what_matters WHERE patient_id = ${pid}`)[0];
  assert.ok(after.confirmed_ms > 0);
  const tp = query(server, `SELECT count(*) AS n FROM touchpoint WHERE patient_id = ${pid} AND kind = 'matters-confirmed'`);
  assert.ok(tp[0].n >= 1);
  await nurse.context().close();
  await patient.context().close();
});

test('two people editing at once: the second save gets 409 with both versions and nothing typed lost', async () => {
  const doctor = await newPage(browser);
  await signIn(doctor, server.url, 'doctor');
  const patient = await newPage(browser);
  await signIn(patient, server.url, 'patient');
  await doctor.goto(`${server.url}/patients/${pid}/crisis/edit`);
  await patient.goto(`${server.url}/patients/${pid}/crisis/edit`);

  await patient.getByLabel('What helps me in a crisis').fill('A cup of tea and my music');
  await patient.getByRole('button', { name: 'Save the plan' }).click();
  await patient.getByText('Your changes are saved.').waitFor();

  await doctor.getByLabel('What does not help me').fill('Raised voices');
  const [res] = await Promise.all([
    doctor.waitForResponse((r) => r.request().method() === 'POST'),
    doctor.getByRole('button', { name: 'Save the plan' }).click(),
  ]);
  assert.equal(res.status(), 409);
  await doctor.getByRole('heading', { name: 'Someone else changed the plan while you were writing' }).waitFor();
  // Nothing typed is lost; what is saved now and what changed are shown.
  assert.equal(await doctor.getByLabel('What does not help me').inputValue(), 'Raised voices');
  // A part only the other person changed now shows their words.
  assert.equal(await doctor.getByLabel('What helps me in a crisis').inputValue(), 'A cup of tea and my music');
  const alert = doctor.getByRole('alert');
  assert.ok(await alert.getByText('A cup of tea and my music').first().isVisible());
  assert.equal(await alert.locator('ins').filter({ hasText: 'tea' }).count(), 1);
  await checkA11y(doctor, 'crisis plan 409');
  let row = crisisRow();
  assert.equal(row.what_helps, 'A cup of tea and my music');
  assert.notEqual(row.what_does_not_help, 'Raised voices');
  // Saving again (now on the new version) keeps both.
  await doctor.getByRole('button', { name: 'Save the plan' }).click();
  await doctor.getByText('Your changes are saved.').waitFor();
  row = crisisRow();
  assert.equal(row.what_does_not_help, 'Raised voices');
  assert.equal(row.what_helps, 'A cup of tea and my music');

  // The same for what matters, over HTTP.
  const p = new Client(server.url);
  await p.signIn('patient');
  const n = new Client(server.url);
  await n.signIn('nurse');
  const pf = await openForm(p, 'matters');
  const nf = await openForm(n, 'matters');
  let r = await p.post(`/patients/${pid}/matters/edit`, { ...pf, good_day: 'Sunshine' });
  assert.equal(r.status, 303);
  r = await n.post(`/patients/${pid}/matters/edit`, { ...nf, good_day: 'Rain and a film', with_patient: '1' });
  assert.equal(r.status, 409);
  assert.match(r.text_, /Rain and a film<\/textarea>/);
  assert.match(r.text_, /Sunshine/);
  assert.match(r.text_, /You and the other person both changed this part/);
  assert.equal(query(server, `SELECT good_day FROM what_matters WHERE patient_id = ${pid}`)[0].good_day, 'Sunshine');
  await doctor.context().close();
  await patient.context().close();
});

test('a caregiver with a read-only grant cannot edit', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'caregiver');
  await page.goto(`${server.url}/patients/${pid}/crisis`);
  await page.getByRole('heading', { name: 'Crisis plan', level: 1 }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Change the plan' }).count(), 0);
  assert.ok(await page.getByRole('link', { name: 'Download pocket card (PDF)' }).isVisible());
  await checkA11y(page, 'crisis plan (caregiver)');
  await page.goto(`${server.url}/patients/${pid}/matters`);
  assert.equal(await page.locator(`a[href$="/matters/edit"]`).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'This is right' }).count(), 0);
  await checkA11y(page, 'what matters (caregiver)');
  const edit = await page.goto(`${server.url}/patients/${pid}/crisis/edit`);
  assert.equal(edit.status(), 403);
  await page.context().close();

  const c = new Client(server.url);
  await c.signIn('caregiver');
  const csrf = await c.csrf(`/patients/${pid}/crisis`);
  const before = stored();
  const version = String(crisisRow().version);
  const fields = { csrf, version };
  for (const s of SECTIONS) fields[s] = 'changed by the caregiver';
  assert.equal((await c.post(`/patients/${pid}/crisis/edit`, fields)).status, 403);
  const mv = String(query(server, `SELECT version FROM what_matters WHERE patient_id = ${pid}`)[0].version);
  const mf = { csrf, version: mv, with_patient: '1' };
  for (const s of PARTS) mf[s] = 'changed by the caregiver';
  assert.equal((await c.post(`/patients/${pid}/matters/edit`, mf)).status, 403);
  assert.equal((await c.post(`/patients/${pid}/matters/confirm`, { csrf, version: mv })).status, 403);
  assert.equal((await c.request(`/patients/${pid}/matters/edit`)).status, 403);
  assert.equal(stored(), before);
});

test('bad input is refused with a clear answer and changes nothing', async () => {
  const d = new Client(server.url);
  await d.signIn('doctor');
  let form = await openForm(d, 'crisis');
  let before = stored();

  // Over-long text: 400, the typed text comes back, nothing stored.
  const long = 'x'.repeat(4001);
  let r = await d.post(`/patients/${pid}/crisis/edit`, { ...form, coping: long });
  assert.equal(r.status, 400);
  assert.match(r.text_, /Keep this under 4,000 characters\./);
  assert.ok(r.text_.includes(`>${long}</textarea>`));
  // Control characters.
  r = await d.post(`/patients/${pid}/crisis/edit`, { ...form, warning_signs: 'a\u0001b' });
  assert.equal(r.status, 400);
  assert.match(r.text_, /Remove the special characters/);
  // A version that is not a number, a stale version, no CSRF token.
  r = await d.post(`/patients/${pid}/crisis/edit`, { ...form, version: 'abc' });
  assert.equal(r.status, 400);
  r = await d.post(`/patients/${pid}/crisis/edit`, { ...form, version: String(Number(form.version) - 1), coping: 'Stale words' });
  assert.equal(r.status, 409);
  assert.match(r.text_, /Stale words<\/textarea>/);
  const { csrf, ...noCsrf } = form;
  r = await d.post(`/patients/${pid}/crisis/edit`, { ...noCsrf, coping: 'No token' });
  assert.equal(r.status, 403);
  r = await d.post(`/patients/${pid}/crisis/edit`, { ...form, csrf: '0'.repeat(64), coping: 'Bad token' });
  assert.equal(r.status, 403);
  assert.equal(stored(), before);

  // What matters: over-long, or by a professional without the tick.
  const mf = await openForm(d, 'matters');
  r = await d.post(`/patients/${pid}/matters/edit`, { ...mf, what_matters: 'y'.repeat(4001), with_patient: '1' });
  assert.equal(r.status, 400);
  r = await d.post(`/patients/${pid}/matters/edit`, { ...mf, what_matters: 'Their diagnosis' });
  assert.equal(r.status, 400);
  assert.match(r.text_, /only ever in the patient&#39;s own words/);
  assert.match(r.text_, /Their diagnosis<\/textarea>/);
  r = await d.post(`/patients/${pid}/matters/confirm`, { csrf: mf.csrf, version: mf.version });
  assert.equal(r.status, 403);

  // Bad ids and versions in the address.
  assert.equal((await d.request('/patients/abc/crisis')).status, 404);
  assert.equal((await d.request('/patients/12345/crisis/card.pdf')).status, 404);
  assert.equal((await d.request(`/patients/${pid}/crisis/history?from=abc`)).status, 400);
  assert.equal((await d.request(`/patients/${pid}/crisis/history?to=9999`)).status, 404);
  assert.equal((await d.request(`/patients/${pid}/matters/history?from=-1`)).status, 400);

  // Roles that do not see the care record.
  for (const user of ['reception', 'admin']) {
    const c = new Client(server.url);
    await c.signIn(user);
    assert.equal((await c.request(`/patients/${pid}/crisis`)).status, 403, `${user} reads`);
    assert.equal((await c.request(`/patients/${pid}/crisis/card.pdf`)).status, 403, `${user} card`);
    const t = await c.csrf('/account');
    const fields = { csrf: t, version: form.version };
    for (const s of SECTIONS) fields[s] = `by ${user}`;
    assert.equal((await c.post(`/patients/${pid}/crisis/edit`, fields)).status, 403, `${user} writes`);
  }
  assert.equal(stored(), before);

  // Hostile text is stored as typed and shown inert.
  form = await openForm(d, 'crisis');
  r = await d.post(`/patients/${pid}/crisis/edit`, { ...form, coping: '<script>alert(1)</script> Call 0161 496 0999' });
  assert.equal(r.status, 303);
  r = await d.request(`/patients/${pid}/crisis`);
  assert.ok(!r.text_.includes('<script>alert(1)</script>'));
  assert.ok(r.text_.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  r = await d.request(`/patients/${pid}/crisis/history`);
  assert.ok(!r.text_.includes('<script>alert(1)</script>'));
  before = stored();
  assert.equal(crisisRow().coping, '<script>alert(1)</script> Call 0161 496 0999');
});

test('the organisation sets its emergency number; crisis plans and the card show it', async () => {
  const admin = new Client(server.url);
  await admin.signIn('admin');
  const csrf = await admin.csrf('/admin');
  const before = snapshot(server);
  for (const bad of ['', '9', 'call me', '1'.repeat(21), '<script>']) {
    const r = await admin.post('/admin/emergency-number', { csrf, emergency_number: bad });
    assert.equal(r.status, 400, bad);
    assert.match(r.text_, /Enter the number to call/);
  }
  const nurse = new Client(server.url);
  await nurse.signIn('nurse');
  const t = await nurse.csrf('/account');
  assert.equal((await nurse.post('/admin/emergency-number', { csrf: t, emergency_number: '112' })).status, 403);
  assert.equal(snapshot(server), before, 'nothing changed');
  assert.equal((await admin.post('/admin/emergency-number', { csrf, emergency_number: '112' })).status, 303);
  const patient = new Client(server.url);
  await patient.signIn('patient');
  const page = await patient.request(`/patients/${pid}/crisis`);
  assert.match(page.text_, /In an emergency call <a class="tel" href="tel:112">112<\/a> or go to the nearest emergency department/);
  const card = await patient.request(`/patients/${pid}/crisis/card.pdf`);
  assert.equal(card.status, 200);
  assert.equal((await admin.post('/admin/emergency-number', { csrf, emergency_number: '999' })).status, 303);
});
