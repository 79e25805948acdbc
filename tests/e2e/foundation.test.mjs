// The foundation's main paths in Debian's chromium, with axe-core on
// every page visited: a patient, a caregiver, a professional, an
// administrator, break-the-glass, and the privacy officer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, signOut, checkA11y, patientId, query } from './lib.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a patient signs in and sees profile, care team and who looked at the record', async () => {
  const page = await newPage(browser);
  await page.goto(server.url + '/');
  assert.match(page.url(), /\/signin$/, 'signed-out visitors are sent to sign in');
  await checkA11y(page, 'sign-in page');
  await signIn(page, server.url, 'patient');
  await page.getByRole('heading', { name: /Hello, María/ }).waitFor();
  await checkA11y(page, 'patient home');
  await page.getByRole('link', { name: 'My record', exact: true }).click();
  await page.getByRole('heading', { name: 'María López' }).waitFor();
  assert.ok(await page.getByText('Date of birth').isVisible());
  const team = page.getByRole('region', { name: 'Care team' });
  assert.ok(await team.getByText('Named nurse').count() > 0, 'the care team is listed');
  await checkA11y(page, 'patient record');
  await page.getByRole('link', { name: 'Who looked at my record' }).first().click();
  await page.getByRole('heading', { name: 'Who looked at my record' }).waitFor();
  assert.ok(await page.getByText('Opened in an emergency').isVisible(), 'the demo emergency access is shown');
  await checkA11y(page, 'access log');
  await page.getByRole('link', { name: 'My account' }).click();
  await checkA11y(page, 'account page');
  await signOut(page);
  assert.match(page.url(), /\/signin/);
  await page.context().close();
});

test('a caregiver sees only what was granted', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'caregiver');
  await page.getByRole('heading', { name: 'People you help' }).waitFor();
  await checkA11y(page, 'caregiver home');
  await page.getByRole('link', { name: 'María López' }).click();
  await page.getByRole('heading', { name: 'María López' }).waitFor();
  // Granted: profile and care team. Not granted: the access log, grants.
  assert.equal(await page.getByRole('link', { name: /looked at/ }).count(), 0);
  await checkA11y(page, 'record seen by caregiver');
  const pid = patientId(server);
  let res = await page.goto(`${server.url}/patients/${pid}/access`);
  assert.equal(res.status(), 403);
  assert.ok(await page.getByRole('heading', { name: 'you do not have access to this' }).isVisible());
  await checkA11y(page, '403 page');
  res = await page.goto(`${server.url}/patients/${pid}/edit`);
  assert.equal(res.status(), 403, 'no write grant for the profile');
  // Someone who granted nothing to this caregiver.
  const other = patientId(server, 'p002');
  res = await page.goto(`${server.url}/patients/${other}`);
  assert.equal(res.status(), 403);
  await page.context().close();
});

test('a professional finds a patient and opens the record', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'nurse');
  await checkA11y(page, 'professional home');
  await page.getByRole('link', { name: 'My patients' }).click();
  await page.getByLabel('Name or number').fill('lópez');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'María López' }).click();
  await page.getByRole('heading', { name: 'María López' }).waitFor();
  await checkA11y(page, 'record seen by professional');
  // Search by record number finds the same person.
  const mrn = query(server, `SELECT value FROM patient_identifier WHERE system = 'mrn' AND patient_id = (SELECT patient_id FROM account WHERE username = 'patient')`)[0].value;
  await page.goto(`${server.url}/patients?q=${encodeURIComponent(mrn)}`);
  assert.equal(await page.getByRole('link', { name: 'María López' }).count(), 1);
  await checkA11y(page, 'patient search');
  await page.context().close();
});

test('an administrator creates a user and cannot open clinical data', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'admin');
  await checkA11y(page, 'admin home');
  await page.goto(server.url + '/admin/users/new');
  await checkA11y(page, 'new account form');
  await page.getByLabel('User name').fill('sam.rivera');
  await page.getByLabel('Full name').fill('Sam Rivera');
  await page.getByLabel('Role').selectOption('professional');
  await page.getByLabel('Discipline').fill('occupational therapy');
  await page.getByLabel('Password', { exact: true }).fill('lantern orchard basil');
  await page.getByLabel('Password again').fill('lantern orchard basil');
  await page.getByRole('button', { name: /Create/ }).click();
  await page.getByText('The account is created.').waitFor();
  await checkA11y(page, 'account page (admin)');
  assert.equal(query(server, `SELECT role FROM account WHERE username = 'sam.rivera'`)[0].role, 'professional');
  await page.goto(server.url + '/admin/users');
  await checkA11y(page, 'accounts list');
  await page.goto(server.url + '/admin');
  await checkA11y(page, 'organisation page');
  const pid = patientId(server);
  for (const path of [`/patients/${pid}`, `/patients/${pid}/access`, `/patients/${pid}/grants`, '/patients']) {
    const res = await page.goto(server.url + path);
    assert.equal(res.status(), 403, `administrator must not open ${path}`);
  }
  // The new professional can sign in with the password the admin set.
  await signOut(page);
  await signIn(page, server.url, 'sam.rivera', 'lantern orchard basil');
  await page.getByRole('heading', { name: /Hello, Sam Rivera/ }).waitFor();
  await page.context().close();
});

test('break-the-glass is audited and shows in the patient\'s access list', async () => {
  const pid = patientId(server);
  const outsider = query(server, `SELECT username FROM account WHERE role = 'professional' AND id NOT IN (SELECT account_id FROM care_team_member WHERE patient_id = ${pid}) AND username <> 'sam.rivera' ORDER BY username LIMIT 1`)[0].username;
  const page = await newPage(browser);
  await signIn(page, server.url, outsider);
  let res = await page.goto(`${server.url}/patients/${pid}`);
  assert.equal(res.status(), 403);
  await page.getByRole('heading', { name: /not on this patient's care team/ }).waitFor();
  await checkA11y(page, 'break-the-glass offer');
  // Too short a reason is refused with a message, and nothing is stored.
  const before = query(server, 'SELECT count(*) AS n FROM break_glass')[0].n;
  await page.getByLabel('Why do you need this record now?').fill('urgent');
  await page.getByRole('button', { name: 'Open the record in an emergency' }).click();
  await page.getByText('Give the reason in 10 to 500 characters').first().waitFor();
  assert.equal(query(server, 'SELECT count(*) AS n FROM break_glass')[0].n, before);
  const reason = 'Seen in A&E after a fall at night; team not reachable';
  await page.getByLabel('Why do you need this record now?').fill(reason);
  await page.getByRole('button', { name: 'Open the record in an emergency' }).click();
  await page.getByRole('heading', { name: 'María López' }).waitFor();
  assert.ok(await page.getByText('Emergency access is open for four hours').isVisible());
  await page.context().close();

  const patient = await newPage(browser);
  await signIn(patient, server.url, 'patient');
  await patient.goto(`${server.url}/patients/${pid}/access`);
  assert.ok(await patient.getByText(reason).isVisible(), 'the reason is shown to the patient');
  await patient.context().close();

  const privacy = await newPage(browser);
  await signIn(privacy, server.url, 'privacy');
  await checkA11y(privacy, 'privacy home');
  await privacy.goto(server.url + '/privacy');
  assert.ok(await privacy.getByText(reason).isVisible(), 'listed for the privacy officer');
  await checkA11y(privacy, 'privacy review');
  await privacy.context().close();
});

test('the patient gives and withdraws caregiver access', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.getByRole('link', { name: 'People who help me' }).first().click();
  await checkA11y(page, 'grants page');
  const cg = query(server, `SELECT username FROM account WHERE role = 'caregiver' AND username <> 'caregiver' ORDER BY username LIMIT 1`)[0].username;
  await page.getByLabel('Their cocare user name').fill(cg);
  await page.getByLabel('Who they are to you').fill('neighbour');
  await page.getByRole('button', { name: 'Give access' }).click();
  await page.getByText('Access is granted.').waitFor();
  const withdraw = page.getByRole('button', { name: /Withdraw access for/ });
  const n = await withdraw.count();
  await withdraw.last().click();
  await page.getByText('Access is withdrawn.').waitFor();
  assert.equal(await page.getByRole('button', { name: /Withdraw access for/ }).count(), n - 1);
  await page.context().close();
});

test('pages work at 320 px and without JavaScript', async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 640 }, javaScriptEnabled: false });
  await signIn(page, server.url, 'nurse');
  await page.getByRole('heading', { name: /Hello/ }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, 'no sideways scrolling at 320 px');
  await page.context().close();
});

test('Spanish is chosen from the browser and from the language switch', async () => {
  const page = await newPage(browser, { locale: 'es-ES' });
  await page.goto(server.url + '/signin');
  assert.equal(await page.locator('html').getAttribute('lang'), 'es');
  await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
  await checkA11y(page, 'sign-in page in Spanish');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.context().close();
});
