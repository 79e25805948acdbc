// Two-step sign-in: a person sets it up from their account, is asked for
// a code at the next sign-in, and an organisation can require it of all
// staff (who are then sent to set it up first). axe-core on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, signOut, checkA11y, totp, query } from './lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function setUp(page) {
  await page.getByRole('heading', { name: 'Set up two-step sign-in' }).waitFor();
  await checkA11y(page, 'two-step set-up');
  const secret = (await page.locator('code.secret').first().textContent()).trim();
  await page.getByLabel('Code').fill('000000');
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await page.getByText('That code is not right').waitFor();
  await page.getByLabel('Code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await page.getByText('Two-step sign-in is on.').waitFor();
  return secret;
}

test('a patient turns on two-step sign-in and then needs a code', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(server.url + '/account');
  await page.getByRole('link', { name: 'Set up two-step sign-in' }).click();
  const secret = await setUp(page);
  assert.equal(query(server, `SELECT totp_enabled FROM account WHERE username = 'patient'`)[0].totp_enabled, 1);
  await signOut(page);
  await signIn(page, server.url, 'patient');
  assert.match(page.url(), /\/signin\/second-factor$/);
  await checkA11y(page, 'two-step check');
  // Nothing else opens before the code.
  const res = await page.goto(server.url + '/account');
  assert.match(page.url(), /\/signin\/second-factor$/, `redirected, status ${res.status()}`);
  await page.getByLabel('Code').fill('123456');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('That code is not right').waitFor();
  await page.getByLabel('Code').fill(totp(secret));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /Hello, María/ }).waitFor();
  await page.context().close();
});

test('an organisation requires two-step sign-in of its staff', async () => {
  const admin = await newPage(browser);
  await signIn(admin, server.url, 'admin');
  await admin.goto(server.url + '/admin');
  await admin.getByLabel('Require two-step sign-in for all staff').check();
  await admin.getByRole('button', { name: 'Save setting' }).click();
  // The administrator is staff too: set-up comes first.
  await setUp(admin);
  assert.equal(query(server, `SELECT require_staff_2fa FROM organisation`)[0].require_staff_2fa, 1);
  await admin.context().close();

  const nurse = await newPage(browser);
  await signIn(nurse, server.url, 'nurse');
  assert.match(nurse.url(), /\/account\/second-factor$/);
  await nurse.getByText('Your organisation asks all staff').waitFor();
  const res = await nurse.goto(server.url + '/patients');
  assert.match(nurse.url(), /\/account\/second-factor$/, `staff cannot skip set-up (${res.status()})`);
  await setUp(nurse);
  await nurse.context().close();

  // Patients are not bound by the staff rule.
  const caregiver = await newPage(browser);
  await signIn(caregiver, server.url, 'caregiver');
  await caregiver.getByRole('heading', { name: 'People you help' }).waitFor();
  await caregiver.context().close();
});
