// A person's own account: language, password, signing out on every
// device and personal API tokens (shown once, listed, revoked).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, signOut, checkA11y, Client, query } from './lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('API tokens: created, shown once, listed and revoked', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'doctor');
  await page.goto(server.url + '/account');
  await page.getByLabel('Token name').fill('ward tablet sync');
  await page.getByLabel('write').check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.locator('.notice code.secret').textContent()).trim();
  assert.match(secret, /^cct_[0-9a-f]{64}$/);
  // The list on the same answer already has it (read after write).
  const row = page.getByRole('row', { name: /ward tablet sync/ });
  assert.match(await row.textContent(), /user\/\*\.rs user\/\*\.cud/);
  await checkA11y(page, 'account with a new token');
  assert.equal(query(server, `SELECT count(*) AS n FROM api_token WHERE token_hash LIKE '%${secret.slice(4, 20)}%'`)[0].n, 0, 'only a hash is stored');
  await page.goto(server.url + '/account');
  assert.equal(await page.locator('.notice code.secret').count(), 0, 'shown only once');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page.getByText('The token is revoked.').waitFor();
  assert.match(await page.getByRole('row', { name: /ward tablet sync/ }).textContent(), /Revoked or ended/);
  await page.context().close();
});

test('language, password and signing out everywhere', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'nurse');
  const other = new Client(server.url);
  await other.signIn('nurse');
  assert.equal((await other.request('/')).status, 200);

  await page.goto(server.url + '/account');
  await page.getByLabel('Show cocare in').selectOption('es');
  await page.getByRole('button', { name: 'Save language' }).click();
  await page.getByRole('heading', { name: 'Mi cuenta' }).waitFor();
  await page.locator('#language').selectOption('en');
  await page.locator('form[action="/account/language"] button').click();
  await page.getByRole('heading', { name: 'My account' }).waitFor();

  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password', { exact: true }).fill('password1234');
  await page.getByLabel('New password again').fill('password1234');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Your current password is not right.').first().waitFor();
  assert.ok(await page.getByText('too common').first().isVisible());
  await checkA11y(page, 'password errors');
  await page.getByLabel('Current password').fill('demo-password-2026');
  await page.getByLabel('New password', { exact: true }).fill('river stones and maps');
  await page.getByLabel('New password again').fill('river stones and maps');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Your password is changed.').waitFor();
  // The other device was signed out by the password change.
  assert.equal((await other.request('/')).status, 303);

  await other.signIn('nurse', 'river stones and maps');
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.getByText('You have signed out on every device.').waitFor();
  assert.equal((await other.request('/')).status, 303);
  await signIn(page, server.url, 'nurse', 'river stones and maps');
  await page.getByRole('heading', { name: /Hello/ }).waitFor();
  await signOut(page);
  await page.context().close();
});
