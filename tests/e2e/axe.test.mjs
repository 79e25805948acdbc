// axe-core on every page each demo role reaches by following links, in
// English and in Spanish, plus the error pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, checkA11y } from './lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

const ROLES = ['patient', 'caregiver', 'nurse', 'reception', 'admin', 'privacy', 'improvement'];
const PER_ROLE = 12;

async function crawlWithAxe(user, locale) {
  const page = await newPage(browser, { locale });
  await signIn(page, server.url, user);
  const seen = new Set();
  const queue = [new URL(page.url()).pathname];
  let checked = 0;
  while (queue.length && checked < PER_ROLE) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await page.goto(server.url + path);
    if (!res || res.status() >= 300) continue;
    await checkA11y(page, `${user} ${locale} ${path}`);
    checked++;
    const hrefs = await page.$$eval('a[href^="/"]', (as) => as.map((a) => a.getAttribute('href')));
    // Downloads (the crisis card's PDF, the analytics' CSV) are not pages.
    const download = (h) => /\.(pdf|csv)$/.test(h.split('?')[0]);
    for (const h of hrefs) if (!h.startsWith('/static/') && !download(h) && !seen.has(h)) queue.push(h);
  }
  await page.context().close();
  return checked;
}

test('no axe-core violations on any page, in English', async () => {
  let n = 0;
  for (const user of ROLES) n += await crawlWithAxe(user, 'en-GB');
  assert.ok(n >= 30, `only ${n} pages checked`);
});

test('no axe-core violations in Spanish', async () => {
  let n = 0;
  for (const user of ['patient', 'nurse', 'admin']) n += await crawlWithAxe(user, 'es-ES');
  assert.ok(n >= 10, `only ${n} pages checked`);
});

test('error pages pass axe-core', async () => {
  const page = await newPage(browser);
  let res = await page.goto(server.url + '/no/such/page');
  assert.equal(res.status(), 404);
  await checkA11y(page, '404 signed out');
  await signIn(page, server.url, 'patient');
  res = await page.goto(server.url + '/patients/abc');
  assert.equal(res.status(), 404);
  await checkA11y(page, '404 signed in');
  res = await page.goto(server.url + '/admin');
  assert.equal(res.status(), 403);
  await checkA11y(page, '403');
  await page.context().close();
});
