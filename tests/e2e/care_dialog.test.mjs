// Review conversations and shared decisions in Debian's chromium: the
// patient rates the eleven areas beside last time's ratings, chooses
// areas and agrees actions that appear on the care plan with their
// owners; an administrator edits a decision aid; a professional records
// a decision with the patient. Bad input (ratings 0/8/x, four areas, an
// owner not on the team, over-long text, stale versions, people without
// access, a missing CSRF token) is refused with 4xx and nothing stored.
// axe-core on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startServer, launchBrowser, newPage, signIn, checkA11y, patientId, query, snapshot, Client,
} from './lib.mjs';

const AREAS = ['mental_health', 'physical_health', 'job', 'accommodation', 'leisure', 'family',
  'friendships', 'safety', 'medication', 'practical_help', 'meetings'];

let server, browser, pid, doctorId, doctorName, otherPro;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  pid = patientId(server);
  [{ id: doctorId, name: doctorName }] = query(server, `SELECT CAST(id AS TEXT) AS id, display_name AS name FROM account WHERE username = 'doctor'`);
  otherPro = query(server, `SELECT CAST(id AS TEXT) AS id FROM account WHERE role = 'professional'
    AND id NOT IN (SELECT account_id FROM care_team_member WHERE patient_id = ${pid}) LIMIT 1`)[0].id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Everything this part stores, with the foundation's tables, as text.
function state() {
  const tables = ['review_conversation', 'review_rating', 'review_focus', 'care_item', 'care_plan',
    'decision_aid', 'shared_decision', 'care_version'];
  const sql = tables.map((t) => `SELECT '${t}'; SELECT * FROM ${t} ORDER BY 1;`).join(' ');
  return snapshot(server) + execFileSync('sqlite3', ['-readonly', join(server.dir, 'cocare.db'), sql], { encoding: 'utf8' });
}

function ratingFields(value) {
  const f = {};
  for (const a of AREAS) { f[`rating_${a}`] = String(value); f[`help_${a}`] = 'no'; }
  return f;
}

// A copy of form fields without `key`.
function omit(fields, key) {
  const copy = { ...fields };
  delete copy[key];
  return copy;
}

async function signedIn(user) {
  const c = new Client(server.url);
  await c.signIn(user);
  return c;
}

test('the patient runs a review conversation; the actions land on the care plan', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(`${server.url}/patients/${pid}/reviews`);
  await page.getByRole('heading', { name: 'My review conversations', level: 1 }).waitFor();
  // Her two demo conversations, over time.
  assert.ok(await page.getByRole('table', { name: 'How each area was rated at each review conversation' }).isVisible());
  await checkA11y(page, 'review conversations list');
  await page.getByRole('link', { name: 'Start a review conversation' }).click();
  await page.getByRole('heading', { name: 'New review conversation' }).waitFor();
  // Last time's rating beside each area (she rated mental health 5).
  const mental = page.getByRole('group', { name: 'Mental health' });
  assert.match(await mental.locator('.hint').innerText(), /^Last time: 5 on \d{1,2} \w{3} \d{4}$/);
  await checkA11y(page, 'new review conversation');
  const values = [6, 4, 2, 5, 5, 6, 3, 6, 5, 5, 6];
  for (const [i, a] of AREAS.entries()) {
    await page.locator(`input[name="rating_${a}"][value="${values[i]}"]`).check();
    await page.locator(`input[name="help_${a}"][value="${a === 'job' || a === 'friendships' ? 'yes' : 'no'}"]`).check();
  }
  await page.getByRole('button', { name: 'Save the ratings and go on' }).click();
  await page.getByRole('heading', { name: 'Talk about what matters most' }).waitFor();
  assert.match(page.url(), /\/reviews\/\d+\/focus(\?|$)/);
  const rid = page.url().match(/reviews\/(\d+)\/focus/)[1];
  assert.equal(query(server, `SELECT status FROM review_conversation WHERE id = ${rid}`)[0].status, 'rated');
  // Each rating beside the one of last time.
  assert.ok(await page.getByText('Job situation: 2 (Very dissatisfied) · last time 3').first().isVisible());
  await checkA11y(page, 'choose areas');
  await page.getByLabel(/Job situation: \d/).check();
  await page.getByLabel(/Friendships: \d/).check();
  await page.getByRole('button', { name: 'Next: talk about these areas' }).click();
  await page.getByRole('heading', { name: 'Job situation', level: 2 }).waitFor();
  await checkA11y(page, 'talk through areas');
  await page.getByLabel('1. Understanding: what is going well, and what makes it hard?').first().fill('I miss my colleagues.');
  await page.getByLabel('4. Agreeing actions: what did you agree?').first().fill('Ask about two mornings a week.');
  const job = page.getByRole('region', { name: 'Job situation' });
  await job.getByLabel('Action 1: what will be done').fill('Phone my manager about two mornings a week');
  await job.getByLabel('Action 1: who will do it').selectOption('patient');
  await job.getByLabel('Action 1: by when (optional)').fill('2027-01-15');
  await job.getByLabel('Action 2: what will be done').fill('Write a fit note for a phased return');
  await job.getByLabel('Action 2: who will do it').selectOption(`professional:${doctorId}`);
  const friends = page.getByRole('region', { name: 'Friendships' });
  await friends.getByLabel('Action 1: what will be done').fill('Go to the Thursday coffee morning');
  await friends.getByLabel('Action 1: who will do it').selectOption('patient');
  await page.getByRole('button', { name: 'Save and add the actions to the care plan' }).click();
  await page.getByText('Your changes are saved.').waitFor();
  await page.getByRole('heading', { name: /^Review conversation of / }).waitFor();
  assert.ok(await page.getByText('Phone my manager about two mornings a week').isVisible());
  await checkA11y(page, 'one review conversation');

  const rows = query(server, `SELECT kind, text, owner_kind, CAST(owner_id AS TEXT) AS owner, due_date, proposed_voice
    FROM care_item WHERE source = 'review:${rid}' ORDER BY kind DESC, text`);
  assert.deepEqual(rows.map((r) => [r.kind, r.text, r.owner_kind, r.owner, r.proposed_voice]), [
    ['goal', 'Friendships', '', '0', 'patient'],
    ['goal', 'Job situation', '', '0', 'patient'],
    ['action', 'Go to the Thursday coffee morning', 'patient', '0', 'patient'],
    ['action', 'Phone my manager about two mornings a week', 'patient', '0', 'patient'],
    ['action', 'Write a fit note for a phased return', 'professional', doctorId, 'patient'],
  ]);
  assert.equal(rows.find((r) => r.text.startsWith('Phone')).due_date, '2027-01-15');
  assert.equal(query(server, `SELECT status FROM review_conversation WHERE id = ${rid}`)[0].status, 'complete');
  assert.equal(query(server, `SELECT count(*) AS n FROM touchpoint WHERE kind = 'review-conversation'
    AND resource_id = '${rid}'`)[0].n, 2);

  // On the care plan page, with their owner.
  const res = await page.goto(`${server.url}/patients/${pid}/plan`);
  assert.equal(res.status(), 200);
  assert.ok(await page.getByRole('link', { name: 'Write a fit note for a phased return' }).isVisible());
  assert.ok(await page.getByRole('link', { name: 'Go to the Thursday coffee morning' }).isVisible());
  await page.context().close();
});

test('bad ratings, too many areas, unknown owners and stale forms change nothing', async () => {
  const c = await signedIn('doctor');
  const csrf = await c.csrf(`/patients/${pid}/reviews/new`);
  let before = state();
  for (const bad of ['0', '8', 'x', '']) {
    const f = ratingFields(4);
    f.rating_medication = bad;
    const res = await c.post(`/patients/${pid}/reviews/new`, { csrf, ...f });
    assert.equal(res.status, 400, `rating "${bad}"`);
    assert.match(res.text_, /Choose a number for medication\./);
    assert.match(res.text_, /name="rating_job" value="4" checked/, 'the other choices are kept');
  }
  let res = await c.post(`/patients/${pid}/reviews/new`, ratingFields(4));
  assert.equal(res.status, 403, 'no CSRF token');
  assert.equal(state(), before);

  res = await c.post(`/patients/${pid}/reviews/new`, { csrf, ...ratingFields(3) });
  assert.equal(res.status, 303);
  const focus = res.headers.get('location').replace(/\?.*$/, '');
  const rid = focus.match(/reviews\/(\d+)\/focus/)[1];
  const page = await c.request(focus);
  const version = page.text_.match(/name="version" value="(\d+)"/)[1];
  before = state();
  // Four areas.
  const four = { csrf, version, step: 'choose', focus_job: '1', focus_family: '1', focus_safety: '1', focus_leisure: '1' };
  res = await c.post(focus, four);
  assert.equal(res.status, 400);
  assert.match(res.text_, /Choose up to three areas to talk about\./);
  res = await c.post(focus, { ...four, step: 'save' });
  assert.equal(res.status, 400);
  // An owner not on the care team; an unknown kind of owner.
  const save = { csrf, version, step: 'save', focus_job: '1', agreed_job: 'Agreed.',
    action_job_1_text: 'Call the work coach', action_job_1_owner: `professional:${otherPro}` };
  res = await c.post(focus, save);
  assert.equal(res.status, 400);
  assert.match(res.text_, /only the patient, their caregivers and the care team can own an action/);
  assert.match(res.text_, /value="Call the work coach"/, 'what was typed is kept');
  res = await c.post(focus, { ...save, action_job_1_owner: 'landlord:1' });
  assert.equal(res.status, 400);
  // Over-long text.
  res = await c.post(focus, { ...save, action_job_1_owner: 'patient', understanding_job: 'x'.repeat(4001) });
  assert.equal(res.status, 400);
  assert.match(res.text_, /Keep this under 4,000 characters\./);
  res = await c.post(focus, { ...save, action_job_1_owner: 'patient', action_job_1_due: '2027-02-30' });
  assert.equal(res.status, 400);
  res = await c.post(focus, { ...save, action_job_1_owner: 'patient', csrf: '0'.repeat(64) });
  assert.equal(res.status, 403);
  assert.equal(state(), before);

  // Hostile text is shown inert; then a second save is refused (409).
  res = await c.post(focus, { ...save, action_job_1_owner: 'patient', agreed_job: '<script>alert(1)</script>' });
  assert.equal(res.status, 303);
  const view = await c.request(`/patients/${pid}/reviews/${rid}`);
  assert.ok(view.text_.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!view.text_.includes('<script>alert(1)'));
  before = state();
  res = await c.post(focus, { ...save, action_job_1_owner: 'patient', agreed_job: 'Typed meanwhile' });
  assert.equal(res.status, 409);
  assert.match(res.text_, /Someone else finished this review conversation/);
  assert.match(res.text_, /Typed meanwhile/, 'nothing typed is lost');
  assert.equal(state(), before);
});

test('people without write access are refused on every review and decision form', async () => {
  const aid = query(server, `SELECT CAST(id AS TEXT) AS id FROM decision_aid ORDER BY title LIMIT 1`)[0].id;
  const rid = query(server, `SELECT CAST(id AS TEXT) AS id FROM review_conversation WHERE patient_id = ${pid} LIMIT 1`)[0].id;
  const did = query(server, `SELECT CAST(id AS TEXT) AS id FROM shared_decision WHERE patient_id = ${pid} LIMIT 1`)[0].id;
  const before = state();
  for (const user of ['caregiver', 'reception', 'admin']) {
    const c = await signedIn(user);
    const csrf = await c.csrf('/');
    const reads = [`/patients/${pid}/reviews/new`, `/patients/${pid}/decisions/new?aid=${aid}`,
      `/patients/${pid}/decisions/${did}/edit`, `/patients/${pid}/reviews/${rid}/focus`];
    for (const path of reads) {
      const res = await c.request(path);
      assert.equal(res.status, 403, `${user} GET ${path}`);
    }
    let res = await c.post(`/patients/${pid}/reviews/new`, { csrf, ...ratingFields(4) });
    assert.equal(res.status, 403, `${user} rates`);
    res = await c.post(`/patients/${pid}/decisions/new`, { csrf, aid, considered_1: '1', choice: '1', part_patient: '1' });
    assert.equal(res.status, 403, `${user} decides`);
    res = await c.post(`/patients/${pid}/decisions/${did}/edit`, { csrf, version: '2', considered_1: '1', choice: 'none', part_patient: '1' });
    assert.equal(res.status, 403, `${user} edits`);
    const read = await c.request(`/patients/${pid}/reviews`);
    assert.equal(read.status, user === 'caregiver' ? 200 : 403, `${user} reads the reviews`);
    if (user === 'caregiver')
      assert.ok(!read.text_.includes('Start a review conversation'), 'no button without write access');
  }
  // Administrators keep the aids; others may not.
  const doctor = await signedIn('doctor');
  const res = await doctor.request('/admin/decision-aids');
  assert.equal(res.status, 403);
  assert.equal(state(), before);
});

test('an administrator adds and edits a decision aid', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'admin');
  await page.goto(`${server.url}/admin/decision-aids`);
  await page.getByRole('heading', { name: 'Decision aids', level: 1 }).waitFor();
  await checkA11y(page, 'decision aids list');
  await page.getByRole('link', { name: 'Add a decision aid' }).click();
  await checkA11y(page, 'new decision aid');
  await page.getByLabel('Title, for example: Treatment for knee pain').fill('Help to stop smoking');
  await page.getByLabel('Options, one on each line (2 to 6)').fill('Nicotine patches or gum\nSupport group\n');
  await page.getByLabel('Questions patients ask, one on each line (2 to 10)').fill('What does it involve?\nHow much does it cost?');
  await page.getByRole('button', { name: 'Show the grid' }).click();
  await page.getByRole('group', { name: 'Question 2: How much does it cost?' }).waitFor();
  await checkA11y(page, 'decision aid grid');
  const q1 = page.getByRole('group', { name: 'Question 1: What does it involve?' });
  await q1.getByLabel('Nicotine patches or gum').fill('A patch or gum every day for a few weeks.');
  await q1.getByLabel('Support group').fill('A weekly group with others who are stopping.');
  const q2 = page.getByRole('group', { name: 'Question 2: How much does it cost?' });
  await q2.getByLabel('Nicotine patches or gum').fill('Ask your pharmacist.');
  // One box left empty: refused, everything kept.
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Please check the form').waitFor();
  assert.equal(await q1.getByLabel('Support group').inputValue(), 'A weekly group with others who are stopping.');
  await checkA11y(page, 'decision aid with problems');
  await q2.getByLabel('Support group').fill('Free.');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Your changes are saved.').waitFor();
  const row = query(server, `SELECT CAST(id AS TEXT) AS id, cells, version FROM decision_aid WHERE title = 'Help to stop smoking'`)[0];
  assert.deepEqual(JSON.parse(row.cells), [['A patch or gum every day for a few weeks.', 'A weekly group with others who are stopping.'],
    ['Ask your pharmacist.', 'Free.']]);

  // Edit the demo knee aid's first cell.
  const knee = query(server, `SELECT CAST(id AS TEXT) AS id FROM decision_aid WHERE title LIKE 'Managing knee pain%'`)[0].id;
  await page.getByRole('link', { name: 'Managing knee pain from osteoarthritis' }).click();
  await checkA11y(page, 'edit decision aid');
  const cell = page.getByRole('group', { name: 'Question 1: What does it involve?' }).getByLabel('Painkillers');
  await cell.fill('Tablets or gels, used when the pain is bad.');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Your changes are saved.').waitFor();
  const stored = query(server, `SELECT cells, version FROM decision_aid WHERE id = ${knee}`)[0];
  assert.equal(stored.version, 2);
  assert.equal(JSON.parse(stored.cells)[0][1], 'Tablets or gels, used when the pain is bad.');
  await page.context().close();

  // A stale version, too many options, a cell too long: nothing changes.
  const c = await signedIn('admin');
  const form = await c.request(`/admin/decision-aids/${knee}`);
  const csrf = form.text_.match(/name="csrf" value="([0-9a-f]{64})"/)[1];
  const fields = { csrf, version: '1', step: 'save', title: 'Managing knee pain from osteoarthritis',
    options: 'A\nB', questions: 'Q1\nQ2', cell_1_1: 'a', cell_1_2: 'b', cell_2_1: 'c', cell_2_2: 'd', active: '1' };
  const before = state();
  let res = await c.post(`/admin/decision-aids/${knee}`, { ...fields, cell_1_1: 'My stale change' });
  assert.equal(res.status, 409);
  assert.match(res.text_, /Someone else changed this decision aid/);
  assert.match(res.text_, /My stale change/);
  res = await c.post(`/admin/decision-aids/${knee}`, { ...fields, version: '2', options: 'A\nB\nC\nD\nE\nF\nG' });
  assert.equal(res.status, 400);
  res = await c.post(`/admin/decision-aids/${knee}`, { ...fields, version: '2', cell_2_2: 'x'.repeat(301) });
  assert.equal(res.status, 400);
  res = await c.post(`/admin/decision-aids/${knee}`, omit({ ...fields, version: '2' }, 'csrf'));
  assert.equal(res.status, 403);
  assert.equal(state(), before);
});

test('a decision is recorded with the patient, edited, and bad input is refused', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'doctor');
  await page.goto(`${server.url}/patients/${pid}/decisions`);
  await page.getByRole('heading', { name: 'Decisions', level: 1 }).waitFor();
  // María's demo decision, decided with her doctor.
  assert.ok(await page.getByRole('link', { name: 'Treatment for low mood or depression' }).isVisible());
  await checkA11y(page, 'decisions list');
  await page.getByLabel('Record a new decision about').selectOption({ label: 'Managing knee pain from osteoarthritis' });
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('heading', { name: 'Record a decision' }).waitFor();
  await checkA11y(page, 'decision form');
  await page.getByRole('checkbox', { name: /How long does the benefit last\?/ }).check();
  const considered = page.getByRole('group', { name: 'Options you talked about' });
  await considered.getByLabel('Exercise and physiotherapy').check();
  await considered.getByLabel('Steroid injection').check();
  await page.getByRole('group', { name: 'The choice' }).getByLabel('Exercise and physiotherapy').check();
  await page.getByLabel("Reasons for the choice, in the patient's words where possible").fill('I want to keep walking to the market.');
  const who = page.getByRole('group', { name: 'Who took part' });
  assert.ok(await who.getByLabel(/María López/).isChecked(), 'the patient is ticked');
  assert.ok(await who.getByLabel(`${doctorName} (Care team)`).isChecked(), 'and the doctor');
  await page.getByLabel('Date to look at it again (optional)').fill('2027-06-01');
  await page.getByRole('button', { name: 'Save the decision' }).click();
  await page.getByText('Your changes are saved.').waitFor();
  await page.getByRole('heading', { name: 'Decision: Managing knee pain from osteoarthritis' }).waitFor();
  assert.ok(await page.getByText('matters most').first().isVisible(), 'priorities highlighted in the grid');
  await checkA11y(page, 'decision record');
  const did = page.url().match(/decisions\/(\d+)/)[1];
  const d = query(server, `SELECT matters_most, considered, choice, participants, revisit_date, version FROM shared_decision WHERE id = ${did}`)[0];
  assert.equal(d.matters_most, '[3]');
  assert.equal(d.considered, '[0,2]');
  assert.equal(d.choice, 0);
  assert.equal(d.revisit_date, '2027-06-01');
  const people = JSON.parse(d.participants);
  assert.deepEqual(people.map((p) => p.voice).sort(), ['patient', 'professional']);
  assert.ok(people.some((p) => p.id === doctorId));
  await page.getByRole('link', { name: 'Change this decision' }).click();
  await checkA11y(page, 'edit decision');
  await page.context().close();

  const c = await signedIn('doctor');
  const csrf = await c.csrf(`/patients/${pid}/decisions/${did}/edit`);
  const ok = { csrf, version: '1', considered_1: '1', considered_3: '1', choice: '1', reasons: 'Fine', part_patient: '1', revisit_date: '' };
  const before = state();
  let res = await c.post(`/patients/${pid}/decisions/${did}/edit`, { ...ok, choice: '2' });
  assert.equal(res.status, 400, 'the choice must be one of the options considered');
  assert.match(res.text_, /Choose one of the options you talked about/);
  res = await c.post(`/patients/${pid}/decisions/${did}/edit`, { ...ok, choice: '9' });
  assert.equal(res.status, 400);
  res = await c.post(`/patients/${pid}/decisions/${did}/edit`, omit(ok, 'part_patient'));
  assert.equal(res.status, 400, 'someone must have taken part');
  res = await c.post(`/patients/${pid}/decisions/${did}/edit`, { ...ok, revisit_date: '2027-02-30' });
  assert.equal(res.status, 400);
  res = await c.post(`/patients/${pid}/decisions/${did}/edit`, { ...ok, reasons: 'x'.repeat(4001) });
  assert.equal(res.status, 400);
  res = await c.post(`/patients/${pid}/decisions/${did}/edit`, omit(ok, 'csrf'));
  assert.equal(res.status, 403);
  res = await c.post(`/patients/${pid}/decisions/new`, { ...ok, aid: '12345' });
  assert.equal(res.status, 404, 'no such aid');
  assert.equal(state(), before);

  // Not decided yet, saved; then the same stale form is refused with both shown.
  res = await c.post(`/patients/${pid}/decisions/${did}/edit`, { ...ok, choice: 'none', reasons: '<script>x</script>' });
  assert.equal(res.status, 303);
  const view = await c.request(`/patients/${pid}/decisions/${did}`);
  assert.ok(view.text_.includes('&lt;script&gt;x&lt;/script&gt;') && !view.text_.includes('<script>x'));
  assert.match(view.text_, /Not decided yet/);
  const after = state();
  res = await c.post(`/patients/${pid}/decisions/${did}/edit`, { ...ok, reasons: 'My stale reasons' });
  assert.equal(res.status, 409);
  assert.match(res.text_, /Someone else changed this decision/);
  assert.match(res.text_, /My stale reasons/);
  assert.equal(state(), after);
  assert.equal(query(server, `SELECT version FROM shared_decision WHERE id = ${did}`)[0].version, 2);
});

test('every new page has no axe violations for the patient and the caregiver', async () => {
  const rid = query(server, `SELECT CAST(id AS TEXT) AS id FROM review_conversation WHERE patient_id = ${pid} ORDER BY at_ms LIMIT 1`)[0].id;
  const did = query(server, `SELECT CAST(id AS TEXT) AS id FROM shared_decision WHERE patient_id = ${pid} ORDER BY at_ms LIMIT 1`)[0].id;
  // A conversation only rated, to see step 1's link and the choose step.
  const rated = query(server, `SELECT CAST(c.id AS TEXT) AS id, CAST(c.patient_id AS TEXT) AS pid FROM review_conversation c
    WHERE c.status = 'rated' AND c.patient_id IN (SELECT m.patient_id FROM care_team_member m JOIN account a ON a.id = m.account_id
    WHERE a.username = 'doctor') LIMIT 1`)[0];
  assert.ok(rated, 'the demo has a conversation only rated, of one of the doctor\'s patients');
  for (const user of ['patient', 'caregiver', 'doctor']) {
    const page = await newPage(browser);
    await signIn(page, server.url, user);
    const paths = [`/patients/${pid}/reviews`, `/patients/${pid}/reviews/${rid}`, `/patients/${pid}/decisions`,
      `/patients/${pid}/decisions/${did}`];
    if (user !== 'caregiver') paths.push(`/patients/${pid}/decisions/new`);
    if (user === 'doctor') paths.push(`/patients/${rated.pid}/reviews/${rated.id}/focus`);
    for (const path of paths) {
      const res = await page.goto(server.url + path);
      assert.equal(res.status(), 200, `${user} ${path}`);
      await checkA11y(page, `${user} ${path}`);
    }
    // Narrow phones: nothing wider than the screen but the scrolling tables.
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${server.url}/patients/${pid}/reviews/new`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 330 || user === 'caregiver', `${user}: page is ${wide}px wide at 320px`);
    await page.context().close();
  }
});
