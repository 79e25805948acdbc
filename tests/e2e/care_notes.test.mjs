// Progress notes end to end: a doctor's Markdown note read by the
// patient, "my view" added in the browser, a correction request answered
// by the author, notes withheld from the patient and their caregiver,
// writing a note together on a shared tablet, and bad input of every kind
// refused with nothing changed. axe-core checks every notes page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

// Everything a notes request could wrongly change.
function state() {
  return snapshot(server) + JSON.stringify([
    query(server, 'SELECT CAST(id AS TEXT) AS id, title, body, shared, withheld_reason, cowritten, version FROM note ORDER BY id'),
    query(server, 'SELECT CAST(id AS TEXT) AS id, body, voice FROM note_view ORDER BY id'),
    query(server, 'SELECT CAST(id AS TEXT) AS id, request, status, answer FROM note_amendment ORDER BY id'),
    query(server, 'SELECT CAST(note_id AS TEXT) AS n, position, voice, body FROM note_paragraph ORDER BY 1, 2'),
    query(server, "SELECT CAST(subject_id AS TEXT) AS s, version, fields FROM care_version WHERE subject_type = 'note' ORDER BY 1, 2"),
  ]);
}

async function expectRefused(fn, status, message) {
  const before = state();
  const res = await fn();
  assert.equal(res.status, status, `status for ${message}`);
  if (message) assert.match(res.text_, message);
  assert.equal(state(), before, 'stored data must not change');
  return res;
}

async function client(user) {
  const c = new Client(server.url);
  await c.signIn(user);
  return c;
}

// Writes a note as `c` over HTTP and returns its id.
async function writeNote(c, fields) {
  const csrf = await c.csrf(`/patients/${pid}/notes/new`);
  const res = await c.post(`/patients/${pid}/notes/new`, { csrf, share: 'yes', ...fields });
  assert.equal(res.status, 303, res.text_.slice(0, 2000));
  return new URL(res.headers.get('location'), server.url).pathname.split('/').pop();
}

const noteCount = () => Number(query(server, 'SELECT COUNT(*) AS n FROM note')[0].n);

test('a doctor writes a note in Markdown and the patient reads it rendered', async () => {
  const title = `Clinic visit ${Date.now()}`;
  const doc = await newPage(browser);
  await signIn(doc, server.url, 'doctor');
  await doc.goto(`${server.url}/patients/${pid}/notes`);
  await checkA11y(doc, 'notes list (doctor)');
  await doc.getByRole('link', { name: 'Write a note', exact: true }).click();
  await checkA11y(doc, 'new note form');
  await doc.getByLabel('Title (optional)').fill(title);
  await doc.getByLabel('Note', { exact: true }).fill(
    '# What we agreed\n\n**Important**: the new tablet starts on Monday.\n\n#### Two things\n\n- take it with food\n- call us if you feel dizzy\n\n[Leaflet](https://www.nhs.uk/medicines/)');
  await doc.getByRole('button', { name: 'Save the note' }).click();
  await doc.waitForLoadState('domcontentloaded');
  assert.equal(await doc.locator('h1').innerText(), title);
  assert.equal(await doc.locator('.note-body strong').innerText(), 'Important');
  // Advice on plain words for the professional who wrote it.
  assert.equal(await doc.locator('#plain-h').count(), 1);
  await checkA11y(doc, 'note page (doctor)');
  await doc.context().close();

  const row = query(server, `SELECT shared, cowritten, version FROM note WHERE title = '${title}'`)[0];
  assert.deepEqual(row, { shared: 1, cowritten: 0, version: 1 });
  const nid = query(server, `SELECT CAST(id AS TEXT) AS id FROM note WHERE title = '${title}'`)[0].id;
  assert.deepEqual(query(server, `SELECT kind, direction FROM touchpoint WHERE resource_id = '${nid}'`),
    [{ kind: 'note-shared', direction: 'staff-to-patient' }]);

  const pat = await newPage(browser);
  await signIn(pat, server.url, 'patient');
  await pat.goto(`${server.url}/patients/${pid}/notes`);
  await checkA11y(pat, 'notes list (patient)');
  await pat.getByRole('link', { name: title }).click();
  await pat.waitForLoadState('domcontentloaded');
  assert.equal(await pat.locator('.note-body strong').innerText(), 'Important');
  // Headings in a note follow the page's own: no second h1.
  assert.equal(await pat.locator('h1').count(), 1);
  assert.deepEqual(await pat.locator('.note-body h3').allInnerTexts(), ['What we agreed', 'Two things']);
  assert.deepEqual(await pat.locator('.note-body li').allInnerTexts(), ['take it with food', 'call us if you feel dizzy']);
  assert.equal(await pat.locator('.note-body a').getAttribute('href'), 'https://www.nhs.uk/medicines/');
  assert.equal(await pat.locator('#plain-h').count(), 0, 'plain-words advice is for professionals');
  assert.equal(await pat.getByRole('link', { name: 'Change this note' }).count(), 0);
  await checkA11y(pat, 'note page (patient)');
  await pat.context().close();
});

test("a note's 'my view' is added by the patient and appears beside it", async () => {
  const doctor = await client('doctor');
  const id = await writeNote(doctor, { title: 'Blood pressure', body: 'Blood pressure is a bit high today.' });
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(`${server.url}/patients/${pid}/notes/${id}`);
  await page.getByLabel('Add my view of this note').fill('I had run to catch the bus just before.');
  await page.getByRole('button', { name: 'Add my view' }).click();
  await page.waitForLoadState('domcontentloaded');
  const views = page.locator('section[aria-labelledby="views-h"]');
  assert.match(await views.innerText(), /I had run to catch the bus just before\./);
  assert.match(await views.innerText(), /María López/);
  await checkA11y(page, 'note page with a view');
  await page.context().close();

  const rows = query(server, `SELECT voice, body FROM note_view WHERE note_id = ${id}`);
  assert.deepEqual(rows, [{ voice: 'patient', body: 'I had run to catch the bus just before.' }]);
  assert.equal(query(server, "SELECT COUNT(*) AS n FROM touchpoint WHERE kind = 'note-view' AND direction = 'patient-to-staff'")[0].n >= 1, true);
  // The doctor sees it, and the list counts it.
  const res = await doctor.request(`/patients/${pid}/notes/${id}`);
  assert.match(res.text_, /I had run to catch the bus just before\./);
  assert.equal(res.text_.includes('action="/patients/' + pid + '/notes/' + id + '/view"'), false, 'staff get no "my view" form');
});

test('a correction request is answered by the doctor who wrote the note', async () => {
  const doctor = await client('doctor');
  const id = await writeNote(doctor, { title: 'Knee', body: 'Her right knee is swollen.' });
  const pat = await newPage(browser);
  await signIn(pat, server.url, 'patient');
  await pat.goto(`${server.url}/patients/${pid}/notes/${id}`);
  await pat.getByLabel('Ask for a correction').fill('It is my left knee.');
  await pat.getByRole('button', { name: 'Send the request' }).click();
  await pat.waitForLoadState('domcontentloaded');
  assert.match(await pat.locator('section[aria-labelledby="amend-h"]').innerText(), /Waiting for an answer/);
  const aid = query(server, `SELECT CAST(id AS TEXT) AS id FROM note_amendment WHERE note_id = ${id}`)[0].id;

  // Only the author answers: the nurse is refused and nothing changes.
  const nurse = await client('nurse');
  await expectRefused(() => nurse.request(`/patients/${pid}/notes/${id}/amendments/${aid}/answer`), 403);
  const csrfN = await nurse.csrf(`/patients/${pid}/notes/${id}`);
  await expectRefused(() => nurse.post(`/patients/${pid}/notes/${id}/amendments/${aid}/answer`,
    { csrf: csrfN, choice: 'accept', body: 'Hacked', answer: '', version: '1' }), 403);

  const doc = await newPage(browser);
  await signIn(doc, server.url, 'doctor');
  await doc.goto(`${server.url}/patients/${pid}/notes/${id}`);
  await doc.getByRole('link', { name: 'Answer this request' }).click();
  await checkA11y(doc, 'answer form');
  // Explaining needs words: the form comes back with the choice kept.
  await doc.getByLabel('Keep the note as it is and explain why').check();
  await doc.getByRole('button', { name: 'Send the answer' }).click();
  await doc.waitForLoadState('domcontentloaded');
  assert.match(await doc.locator('.error-summary').innerText(), /Write a few words/);
  assert.equal(await doc.getByLabel('Keep the note as it is and explain why').isChecked(), true);
  await checkA11y(doc, 'answer form with a problem');
  await doc.getByLabel('Correct the note as asked').check();
  await doc.getByLabel('The corrected note').fill('Her left knee is swollen.');
  await doc.getByLabel('Your answer to the request').fill('You are right, corrected.');
  await doc.getByRole('button', { name: 'Send the answer' }).click();
  await doc.waitForLoadState('domcontentloaded');
  assert.equal(await doc.locator('.note-body').innerText(), 'Her left knee is swollen.');
  const versions = doc.locator('section[aria-labelledby="versions-h"]');
  assert.equal((await versions.locator('del').textContent()).trim(), 'removed: right');
  assert.equal((await versions.locator('ins').textContent()).trim(), 'added: left');
  await doc.context().close();

  assert.deepEqual(query(server, `SELECT status, answer FROM note_amendment WHERE id = ${aid}`),
    [{ status: 'accepted', answer: 'You are right, corrected.' }]);
  const fields = query(server, `SELECT version, fields FROM care_version WHERE subject_type = 'note' AND subject_id = ${id} ORDER BY version`);
  assert.equal(fields.length, 2);
  assert.equal(JSON.parse(fields[0].fields).body, 'Her right knee is swollen.');
  assert.equal(JSON.parse(fields[1].fields).body, 'Her left knee is swollen.');

  await pat.reload();
  const amend = await pat.locator('section[aria-labelledby="amend-h"]').innerText();
  assert.match(amend, /Accepted: the note was corrected/);
  assert.match(amend, /You are right, corrected\./);
  assert.match(amend, /It is my left knee\./);
  assert.equal(await pat.locator('.note-body').innerText(), 'Her left knee is swollen.');
  await pat.context().close();

  // Answered once: a second answer is refused.
  const d2 = await client('doctor');
  const csrf = await d2.csrf(`/patients/${pid}/notes/${id}`);
  await expectRefused(() => d2.post(`/patients/${pid}/notes/${id}/amendments/${aid}/answer`,
    { csrf, choice: 'explain', answer: 'Again', version: '2' }), 409);
});

test('a withheld note is invisible to the patient and the caregiver, and staff see why', async () => {
  const doctor = await client('doctor');
  const title = `Call from her brother ${Date.now()}`;
  const id = await writeNote(doctor, { title, body: 'Her brother called about his own worries.', share: 'no', reason: 'third-party' });
  assert.deepEqual(query(server, `SELECT shared, withheld_reason FROM note WHERE id = ${id}`), [{ shared: 0, withheld_reason: 'third-party' }]);
  assert.equal(query(server, `SELECT detail FROM audit_event WHERE resource_type = 'ProgressNote' AND resource_id = '${id}' AND action = 'create'`)[0].detail, 'third-party');
  assert.equal(query(server, `SELECT COUNT(*) AS n FROM touchpoint WHERE resource_id = '${id}'`)[0].n, 0, 'not a contact with the patient');

  // Staff: listed with the tag; the reason on the note.
  const nurse = await client('nurse');
  let res = await nurse.request(`/patients/${pid}/notes`);
  assert.match(res.text_, new RegExp(title));
  assert.match(res.text_, /Not shared with the patient/);
  res = await nurse.request(`/patients/${pid}/notes/${id}`);
  assert.equal(res.status, 200);
  assert.match(res.text_, /It contains information about another person/);

  // The patient: not listed, and the address answers 404.
  const patient = await client('patient');
  res = await patient.request(`/patients/${pid}/notes`);
  assert.equal(res.status, 200);
  assert.doesNotMatch(res.text_, new RegExp(title));
  assert.doesNotMatch(res.text_, /Not shared with the patient/);
  await expectRefused(() => patient.request(`/patients/${pid}/notes/${id}`), 404);
  const csrfP = await patient.csrf(`/patients/${pid}/notes`);
  await expectRefused(() => patient.post(`/patients/${pid}/notes/${id}/view`, { csrf: csrfP, view: 'Let me see' }), 404);
  await expectRefused(() => patient.post(`/patients/${pid}/notes/${id}/amend`, { csrf: csrfP, request: 'Let me see' }), 404);

  // The caregiver reads shared notes (the demo grant) but not this one.
  const carer = await client('caregiver');
  res = await carer.request(`/patients/${pid}/notes`);
  assert.equal(res.status, 200);
  assert.doesNotMatch(res.text_, new RegExp(title));
  await expectRefused(() => carer.request(`/patients/${pid}/notes/${id}`), 404);
  // With care-record writing too (granted by María): still shared notes only.
  const csrfG = await patient.csrf(`/patients/${pid}/grants`);
  res = await patient.post(`/patients/${pid}/grants`, {
    csrf: csrfG, username: 'caregiver', relationship: 'daughter',
    scope_notes_read: '1', scope_care_record_read: '1', scope_care_record_write: '1',
  });
  assert.equal(res.status, 303);
  res = await carer.request(`/patients/${pid}/notes`);
  assert.equal(res.status, 200);
  assert.doesNotMatch(res.text_, new RegExp(title));
  assert.match(res.text_, /Medicines review/);
  await expectRefused(() => carer.request(`/patients/${pid}/notes/${id}`), 404);
  const csrfC = await carer.csrf(`/patients/${pid}/notes`);
  await expectRefused(() => carer.post(`/patients/${pid}/notes/${id}/view`, { csrf: csrfC, view: 'Hm' }), 404);
  // Caregivers never write notes.
  await expectRefused(() => carer.post(`/patients/${pid}/notes/new`, { csrf: csrfC, title: 'x', body: 'x', share: 'yes' }), 403);

  // Staff pages of a withheld note pass axe-core.
  const page = await newPage(browser);
  await signIn(page, server.url, 'doctor');
  await page.goto(`${server.url}/patients/${pid}/notes/${id}`);
  await checkA11y(page, 'withheld note');
  await page.goto(`${server.url}/patients/${pid}/notes/${id}/edit`);
  await checkA11y(page, 'edit form of a withheld note');
  await page.context().close();
});

test('co-writing without the confirmation keeps the text and saves nothing', async () => {
  const page = await newPage(browser, { viewport: { width: 800, height: 1200 } });
  await signIn(page, server.url, 'doctor');
  await page.goto(`${server.url}/patients/${pid}/notes`);
  await page.getByRole('link', { name: 'Write a note together with the patient' }).click();
  await checkA11y(page, 'co-writing page');
  const before = state();
  const notes = noteCount();
  await page.locator('#p1').fill('My feet swell in the evenings.');
  await page.locator('#p2').fill('We will check the water tablet dose.');
  await page.locator('#p3').fill('And I need shoes that fit.');
  await page.locator('input[name="voice3"][value="patient"]').check();
  await page.getByRole('button', { name: 'Save the note' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(await page.locator('.error-summary').innerText(), /tick the box/);
  assert.equal(await page.locator('#p1').inputValue(), 'My feet swell in the evenings.');
  assert.equal(await page.locator('#p2').inputValue(), 'We will check the water tablet dose.');
  assert.equal(await page.locator('#p3').inputValue(), 'And I need shoes that fit.');
  assert.equal(await page.locator('input[name="voice3"][value="patient"]').isChecked(), true);
  assert.equal(noteCount(), notes);
  assert.equal(state(), before, 'nothing saved without the confirmation');
  await checkA11y(page, 'co-writing page with a problem');

  await page.getByLabel('María López has read this note and agrees it is what we said').check();
  await page.getByRole('button', { name: 'Save the note' }).click();
  await page.waitForLoadState('domcontentloaded');
  const heads = await page.locator('.note-paragraph h3').allInnerTexts();
  assert.equal(heads.length, 3);
  assert.equal(heads[0], 'María said');
  assert.match(heads[1], / wrote$/);
  assert.equal(heads[2], 'María said');
  await checkA11y(page, 'co-written note');
  const id = new URL(page.url()).pathname.split('/').pop();
  await page.context().close();

  assert.deepEqual(query(server, `SELECT cowritten, shared FROM note WHERE id = ${id}`), [{ cowritten: 1, shared: 1 }]);
  assert.deepEqual(query(server, `SELECT position, voice, body FROM note_paragraph WHERE note_id = ${id} ORDER BY position`), [
    { position: 1, voice: 'patient', body: 'My feet swell in the evenings.' },
    { position: 2, voice: 'professional', body: 'We will check the water tablet dose.' },
    { position: 3, voice: 'patient', body: 'And I need shoes that fit.' },
  ]);
});

test('a stale edit or answer comes back with both texts, nothing typed lost', async () => {
  const doctor = await client('doctor');
  const id = await writeNote(doctor, { title: 'Diet', body: 'Eats well.' });
  // The form is opened in the browser, then the note changes elsewhere.
  const page = await newPage(browser);
  await signIn(page, server.url, 'doctor');
  await page.goto(`${server.url}/patients/${pid}/notes/${id}/edit`);
  await checkA11y(page, 'edit form');
  const csrf = await doctor.csrf(`/patients/${pid}/notes/${id}/edit`);
  let res = await doctor.post(`/patients/${pid}/notes/${id}/edit`, { csrf, version: '1', title: 'Diet', body: 'Eats well, mostly.', share: 'yes' });
  assert.equal(res.status, 303);
  const before = state();
  await page.getByLabel('Note', { exact: true }).fill('Eats well, with fruit.');
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Save the note' }).click(),
  ]);
  assert.equal(answer.status(), 409);
  assert.match(await page.locator('.warning').innerText(), /Someone else changed this note/);
  assert.match(await page.locator('.warning').innerText(), /Eats well, mostly\./);
  assert.equal(await page.getByLabel('Note', { exact: true }).inputValue(), 'Eats well, with fruit.');
  assert.equal(await page.locator('input[name="version"]').inputValue(), '2');
  assert.equal(state(), before);
  await checkA11y(page, 'edit form after a conflict');
  // Saving again on purpose works.
  await page.getByRole('button', { name: 'Save the note' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(await page.locator('.note-body').innerText(), 'Eats well, with fruit.');
  await page.context().close();

  // An answer prepared on version 3 after the note moved on to 4.
  const patient = await client('patient');
  const csrfP = await patient.csrf(`/patients/${pid}/notes/${id}`);
  res = await patient.post(`/patients/${pid}/notes/${id}/amend`, { csrf: csrfP, request: 'I do not eat fruit.' });
  assert.equal(res.status, 303);
  const aid = query(server, `SELECT CAST(id AS TEXT) AS id FROM note_amendment WHERE note_id = ${id}`)[0].id;
  res = await doctor.post(`/patients/${pid}/notes/${id}/edit`, { csrf, version: '3', title: 'Diet', body: 'Eats well.', share: 'yes' });
  assert.equal(res.status, 303);
  res = await expectRefused(() => doctor.post(`/patients/${pid}/notes/${id}/amendments/${aid}/answer`,
    { csrf, choice: 'accept', body: 'Eats well, no fruit.', answer: 'Corrected.', version: '3' }), 409, /The note changed while you were answering/);
  assert.match(res.text_, /Eats well, no fruit\./);
  assert.match(res.text_, /name="version" value="4"/);
  assert.deepEqual(query(server, `SELECT status FROM note_amendment WHERE id = ${aid}`), [{ status: 'open' }]);
});

test('bad input to the notes pages is refused and changes nothing', async () => {
  const doctor = await client('doctor');
  const id = await writeNote(doctor, { title: 'Plain', body: 'A plain note.' });
  const csrf = await doctor.csrf(`/patients/${pid}/notes/new`);
  const newNote = (c, token, fields) => c.post(`/patients/${pid}/notes/new`, { csrf: token, share: 'yes', title: 'T', ...fields });

  // Unsafe or over-long text: a clear message beside the field.
  let res = await expectRefused(() => newNote(doctor, csrf, { body: 'Hi <script>alert(1)</script>' }), 400, /Notes cannot contain HTML/);
  assert.match(res.text_, /Hi &lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'typed text kept, inert');
  assert.doesNotMatch(res.text_, /<script>alert/);
  await expectRefused(() => newNote(doctor, csrf, { body: '[click](javascript:alert(1))' }), 400, /Links in notes must start with https/);
  await expectRefused(() => newNote(doctor, csrf, { body: '<a href="javascript:x">x</a>' }), 400, /Notes cannot contain HTML/);
  await expectRefused(() => newNote(doctor, csrf, { body: 'x'.repeat(20001) }), 400, /under 20,000 characters/);
  await expectRefused(() => newNote(doctor, csrf, { body: 'ok', title: 't'.repeat(301) }), 400, /under 300 characters/);
  await expectRefused(() => newNote(doctor, csrf, { body: '' }), 400, /Write the note/);
  await expectRefused(() => newNote(doctor, csrf, { body: 'ok', share: 'no' }), 400, /Choose why the patient cannot see this note/);
  await expectRefused(() => newNote(doctor, csrf, { body: 'ok', share: 'no', reason: 'gossip' }), 400, /Choose why/);
  await expectRefused(() => doctor.post(`/patients/${pid}/notes/${id}/edit`, { csrf, version: 'x', body: 'ok' }), 400);
  await expectRefused(() => doctor.post(`/patients/${pid}/notes/${id}/edit`, { csrf, version: '1', body: '<iframe src=x>' }), 400, /Notes cannot contain HTML/);
  await expectRefused(() => doctor.post(`/patients/${pid}/notes/cowrite`, { csrf, p1: '<script>x</script>', voice1: 'patient', confirm: '1' }), 400, /Notes cannot contain HTML/);
  await expectRefused(() => doctor.post(`/patients/${pid}/notes/cowrite`, { csrf, p1: 'ok', voice1: 'robot', confirm: '1' }), 400, /Choose whose words/);
  // Missing CSRF token.
  await expectRefused(() => doctor.post(`/patients/${pid}/notes/new`, { title: 'T', body: 'ok', share: 'yes' }), 403, /form has expired/);

  // Refused by the policy: receptionist, administrator, caregiver,
  // patient; the nurse may not edit the doctor's note.
  for (const user of ['reception', 'admin', 'patient']) {
    const c = await client(user);
    const token = await c.csrf('/account');
    await expectRefused(() => newNote(c, token, { body: 'Written by ' + user }), 403);
    await expectRefused(() => c.post(`/patients/${pid}/notes/${id}/edit`, { csrf: token, version: '1', title: 'x', body: 'x', share: 'yes' }), 403);
  }
  const reception = await client('reception');
  await expectRefused(() => reception.request(`/patients/${pid}/notes`), 403);
  const nurse = await client('nurse');
  const csrfN = await nurse.csrf(`/patients/${pid}/notes`);
  await expectRefused(() => nurse.post(`/patients/${pid}/notes/${id}/edit`, { csrf: csrfN, version: '1', title: 'x', body: 'Changed by the nurse', share: 'yes' }), 403);
  await expectRefused(() => nurse.request(`/patients/${pid}/notes/${id}/edit`), 403);
  // Staff do not write "my view" or correction requests.
  await expectRefused(() => nurse.post(`/patients/${pid}/notes/${id}/view`, { csrf: csrfN, view: 'My view' }), 403);

  // The patient's side: empty or over-long text; hostile text is inert.
  const patient = await client('patient');
  const csrfP = await patient.csrf(`/patients/${pid}/notes/${id}`);
  res = await expectRefused(() => patient.post(`/patients/${pid}/notes/${id}/view`, { csrf: csrfP, view: 'v'.repeat(4001) }), 400, /under 4,000 characters/);
  assert.match(res.text_, /v{4001}/, 'the typed view comes back');
  await expectRefused(() => patient.post(`/patients/${pid}/notes/${id}/amend`, { csrf: csrfP, request: '   ' }), 400, /Write a few words/);
  await expectRefused(() => patient.post(`/patients/${pid}/notes/${id}/view`, { view: 'no token' }), 403, /form has expired/);
  res = await patient.post(`/patients/${pid}/notes/${id}/view`, { csrf: csrfP, view: '<script>alert("x")</script>' });
  assert.equal(res.status, 303);
  res = await patient.request(`/patients/${pid}/notes/${id}`);
  assert.match(res.text_, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  assert.doesNotMatch(res.text_, /<script>alert/);

  // Bad and unknown ids.
  await expectRefused(() => doctor.request(`/patients/${pid}/notes/abc`), 404);
  await expectRefused(() => doctor.request(`/patients/${pid}/notes/12345`), 404);
  await expectRefused(() => doctor.post(`/patients/${pid}/notes/12345/edit`, { csrf, version: '1', body: 'x', share: 'yes' }), 404);
  await expectRefused(() => doctor.request(`/patients/${pid}/notes/${id}/amendments/999/answer`), 404);
  await expectRefused(() => doctor.request('/patients/123/notes'), 404);
});
