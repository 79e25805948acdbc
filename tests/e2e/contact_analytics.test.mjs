// Journeys and touchpoint analytics in a real browser: a patient's
// journey, the analytics page split by a patient group with its warnings,
// the CSV download with small numbers hidden (and none found by
// subtraction), axe-core at 360 px and on a desktop in English and
// Spanish, and refusals (a patient opening /touchpoints, another
// patient's journey, bad dates and group names, another unit) that change
// nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  binary, serveOn, launchBrowser, newPage, signIn, checkA11y, Client, snapshot, patientId, query,
} from './lib.mjs';

let server, browser, pid;

// Consultations and their touchpoints for every demo patient, with
// patients of low digital confidence asking by phone and answered
// slowly, so the split shows a warning. Written before the server starts.
const SEED = `
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 3),
c AS (
  SELECT p.id AS pid, p.org_id AS org, p.unit_id AS unit, p.rowid * 10 + k.n AS id, k.n AS n,
    CAST(strftime('%s', 'now') AS INTEGER) - k.n * 86400 * 25 - (p.rowid % 9) * 3600 AS at,
    CASE WHEN p.digital_confidence = 'low' THEN 'phone' ELSE 'web' END AS channel,
    CASE WHEN p.digital_confidence = 'low' THEN 30 ELSE 3 + p.rowid % 5 END AS hours
  FROM patient p, k)
INSERT INTO consultation (id, org_id, patient_id, unit_id, kind, channel, submitted_by, submitted_at,
  answers, status, due_at, first_response_at, closed_at, outcome, request_key, updated_at)
SELECT id, org, pid, unit, CASE n WHEN 1 THEN 'condition' WHEN 2 THEN 'prescription' ELSE 'admin' END,
  channel, pid, at, '{}', 'closed', at + 24 * 3600, at + hours * 3600, at + (hours + 2) * 3600,
  CASE WHEN n = 1 THEN 'appointment' ELSE 'reply' END, 'e2e-' || id, at FROM c;
INSERT INTO touchpoint (id, org_id, at_ms, patient_id, channel, direction, initiator_id,
  initiator_side, kind, resource_type, resource_id)
SELECT id, org_id, submitted_at * 1000, patient_id, channel, 'patient-to-staff', patient_id,
  'patient', 'consultation', 'Consultation', CAST(id AS TEXT) FROM consultation WHERE request_key LIKE 'e2e-%';
`;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-e2e-'));
  execFileSync(binary, ['demo', '--data', dir], { stdio: 'pipe' });
  execFileSync('sqlite3', [join(dir, 'cocare.db'), SEED], { stdio: 'pipe' });
  const s = await serveOn(dir);
  server = {
    url: s.url, dir,
    async stop() { await s.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
  browser = await launchBrowser();
  pid = patientId(server);
});
after(async () => { await browser?.close(); await server?.stop(); });

function otherPatient() {
  return query(server, `SELECT CAST(id AS TEXT) AS id FROM patient WHERE id <> ${pid} LIMIT 1`)[0].id;
}

test('a patient sees their own journey by month, linked from the record, with who started each contact', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'patient');
  await page.goto(`${server.url}/patients/${pid}`);
  await page.getByRole('link', { name: 'Every contact with my care team' }).click();
  assert.equal(new URL(page.url()).pathname, `/patients/${pid}/journey`);
  await page.getByRole('heading', { level: 1, name: 'Contact journey' }).waitFor();
  const months = await page.locator('main section h2').allTextContents();
  assert.ok(months.length >= 2, `months: ${months}`);
  assert.match(months[0], /^[A-Z][a-z]+ \d{4}$/);
  const items = page.locator('li.journey-item');
  const count = await items.count();
  const stored = query(server, `SELECT COUNT(*) AS n FROM touchpoint WHERE patient_id = ${pid}`)[0].n;
  assert.equal(count, Math.min(stored, 1000));
  // Three phone consultations of the seed at least, started by the patient side.
  assert.ok(await page.locator('li.from-patient').count() >= 1);
  const text = await page.locator('main').textContent();
  assert.match(text, /Online consultation/);
  assert.match(text, /Started by: (Patient side|Staff)/);
  await page.context().close();
});

test('a professional opens the analytics of their unit split by digital confidence, with charts, tables and a warning', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'doctor');
  await page.getByRole('link', { name: 'Contact analytics' }).first().click();
  await page.locator('#split').selectOption('digital');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByRole('heading', { name: 'By group: Confidence with digital services' }).waitFor();
  // The professional's own unit, never the whole organisation.
  const units = await page.locator('#unit option').allTextContents();
  assert.equal(units.length, 1);
  assert.ok(!units.includes('The whole organisation'));
  // Charts drawn on the server, each with a title and a table.
  assert.ok(await page.locator('svg.bars[role="img"] title').count() >= 5);
  const rows = page.locator('table:has(caption:text("Figures by group")) tbody tr');
  const labels = await rows.locator('th').allTextContents();
  assert.ok(labels.some((l) => l.startsWith('Low digital confidence')), labels.join('|'));
  assert.equal(labels.at(-1).trim(), 'Everyone');
  // Low confidence: phone requests answered after 30 hours against 3 to 7.
  const warnings = await page.locator('.warning li').allTextContents();
  assert.ok(warnings.some((w) => /Low digital confidence: the median time to a first response/.test(w)), warnings.join('|'));
  // The wide table scrolls sideways from the keyboard.
  const region = page.locator('.table-scroll[role="region"][tabindex="0"]').first();
  assert.ok(await region.getAttribute('aria-label'));
  await page.context().close();
});

// Every line of the CSV: counts are "fewer than 5" or 5 and more; no
// figure has exactly one hidden group (it could be found by subtraction).
function checkCsv(text) {
  const lines = text.trim().split('\r\n');
  assert.equal(lines[0], 'figure,breakdown,group,value,unit');
  const hidden = new Map();
  const cells = new Map();
  let counts = 0;
  for (const line of lines.slice(1)) {
    const m = line.match(/^([a-z0-9_]+),([a-z0-9_]+),([^,]+),"([^"]*)",(.*)$/);
    assert.ok(m, `bad line ${line}`);
    const [, figure, breakdown, group, value, unit] = m;
    if (unit !== 'count') continue;
    counts++;
    assert.ok(value === 'fewer than 5' || (/^\d+$/.test(value) && Number(value) >= 5), `${line}`);
    const key = `${figure}/${breakdown}`;
    hidden.set(key, (hidden.get(key) || 0) + (value === 'fewer than 5' ? 1 : 0));
    cells.set(key, (cells.get(key) || 0) + 1);
  }
  assert.ok(counts >= 60, `only ${counts} counts`);
  // With a split, the groups of a figure add up to "all".
  for (const [key, n] of hidden)
    if (cells.get(key) > 1) assert.notEqual(n, 1, `one hidden group in ${key}`);
  return lines;
}

test('the CSV download has the same figures with small numbers hidden', async () => {
  const page = await newPage(browser);
  await signIn(page, server.url, 'improvement');
  await page.goto(`${server.url}/touchpoints?split=age`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download these figures (CSV)' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'touchpoints.csv');
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  const lines = checkCsv(readFileSync(path, 'utf8'));
  assert.ok(lines.some((l) => l.startsWith('contacts,all,age:')));
  assert.ok(lines.some((l) => /"fewer than 5"/.test(l)));
  // Every split, over HTTP.
  const c = new Client(server.url);
  await c.signIn('researcher');
  for (const split of ['', 'language', 'interpreter', 'disability', 'digital', 'deprivation_quintile', 'deprivation_decile']) {
    const res = await c.request(`/touchpoints.csv?split=${split}`);
    assert.equal(res.status, 200, split);
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    checkCsv(res.text_);
  }
  await page.context().close();
});

test('journey and analytics pages pass axe-core at 360 px and on a desktop, in English and Spanish', { timeout: 480000 }, async () => {
  for (const locale of ['en-GB', 'es-ES']) {
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
      const page = await newPage(browser, { locale, viewport });
      await signIn(page, server.url, 'improvement');
      for (const path of ['/touchpoints?split=digital', '/touchpoints?split=language', '/touchpoints?from=2026-02-30']) {
        await page.goto(server.url + path);
        await checkA11y(page, `${locale} ${viewport.width} ${path}`);
        if (locale === 'es-ES') {
          assert.equal(await page.getAttribute('html', 'lang'), 'es');
          assert.match(await page.locator('h1').textContent(), /Análisis de contactos/);
        }
      }
      // The charts fit the narrow screen.
      if (viewport.width === 360) {
        await page.goto(`${server.url}/touchpoints?split=digital`);
        const widths = await page.locator('svg.bars').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
        for (const w of widths) assert.ok(w > 200 && w <= 360, `chart width ${w}`);
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scroll <= 360, `page scrolls sideways: ${scroll}`);
      }
      await page.context().close();
      const p = await newPage(browser, { locale, viewport });
      await signIn(p, server.url, 'patient');
      await p.goto(`${server.url}/patients/${pid}/journey`);
      await checkA11y(p, `${locale} ${viewport.width} journey`);
      if (locale === 'es-ES')
        assert.match(await p.locator('h1').textContent(), /Recorrido de contactos/);
      // The details form with the patient groups.
      await p.goto(`${server.url}/patients/${pid}/edit`);
      await checkA11y(p, `${locale} ${viewport.width} details`);
      if (locale === 'es-ES')
        assert.match(await p.locator('#disability').textContent(), /Tiene una discapacidad/);
      await p.context().close();
    }
  }
});

test('refusals: a patient, another patient\'s journey, bad dates, bad groups, another unit; nothing changes', async () => {
  const before = snapshot(server);
  const patient = new Client(server.url);
  await patient.signIn('patient');
  assert.equal((await patient.request('/touchpoints')).status, 403);
  assert.equal((await patient.request('/touchpoints.csv')).status, 403);
  assert.equal((await patient.request(`/patients/${otherPatient()}/journey`)).status, 403);
  assert.equal((await patient.request('/patients/0/journey')).status, 404);
  for (const user of ['reception', 'privacy', 'caregiver', 'facilitator']) {
    const c = new Client(server.url);
    await c.signIn(user);
    assert.equal((await c.request('/touchpoints')).status, 403, user);
  }
  const lead = new Client(server.url);
  await lead.signIn('improvement');
  for (const q of ['from=2026-02-30', 'to=yesterday', 'from=2026-05-01&to=2026-04-01',
    'from=2020-01-01&to=2026-01-01', 'split=religion', 'split=AGE', 'split=%3Cscript%3E',
    'unit=12abc', 'unit=-1', 'unit=999999', 'from=' + 'x'.repeat(5000)]) {
    for (const path of ['/touchpoints', '/touchpoints.csv']) {
      const res = await lead.request(`${path}?${q}`);
      assert.equal(res.status, 400, `${path}?${q}`);
      assert.match(res.text_, /Please check the form/);
      assert.doesNotMatch(res.text_, /<script>/);
    }
  }
  // A professional asking for another unit, or the whole organisation.
  const doctor = new Client(server.url);
  await doctor.signIn('doctor');
  const mine = query(server, "SELECT CAST(unit_id AS TEXT) AS u FROM account WHERE username = 'doctor'")[0].u;
  const other = query(server, `SELECT CAST(id AS TEXT) AS id FROM unit WHERE id <> ${mine} LIMIT 1`)[0].id;
  assert.equal((await doctor.request(`/touchpoints?unit=${other}`)).status, 403);
  assert.equal((await doctor.request(`/touchpoints.csv?unit=${other}`)).status, 403);
  assert.equal((await doctor.request(`/touchpoints?unit=0`)).status, 403);
  assert.equal((await doctor.request(`/touchpoints?unit=${mine}`)).status, 200);
  assert.equal(snapshot(server), before, 'stored data must not change');
});

test('the patient groups are set on the details form from fixed choices; anything else is refused and changes nothing', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf(`/patients/${pid}/edit`);
  const row = () => query(server, `SELECT version, disability, digital_confidence, deprivation_decile, given_name, family_name, birth_date, gender, preferred_language FROM patient WHERE id = ${pid}`)[0];
  const now = row();
  const good = {
    csrf, version: String(now.version), given_name: now.given_name, family_name: now.family_name,
    birth_date: now.birth_date, gender: now.gender, preferred_language: now.preferred_language,
  };
  const before = snapshot(server);
  for (const bad of [{ disability: 'maybe' }, { digital_confidence: 'expert' }, { deprivation_decile: '11' },
    { deprivation_decile: '-1' }, { deprivation_decile: 'x' }, { disability: '<b>yes</b>' }]) {
    const res = await c.post(`/patients/${pid}/edit`, { ...good, ...bad });
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.match(res.text_, /Choose/);
  }
  assert.equal(snapshot(server), before, 'stored data must not change');
  // A form without the fields keeps what is stored.
  let res = await c.post(`/patients/${pid}/edit`, good);
  assert.equal(res.status, 303);
  let after = row();
  assert.equal(after.disability, now.disability);
  assert.equal(after.deprivation_decile, now.deprivation_decile);
  res = await c.post(`/patients/${pid}/edit`, {
    ...good, version: String(after.version), disability: 'yes', digital_confidence: 'low', deprivation_decile: '2',
  });
  assert.equal(res.status, 303);
  after = row();
  assert.deepEqual([after.disability, after.digital_confidence, after.deprivation_decile], ['yes', 'low', 2]);
  const page = await c.request(`/patients/${pid}`);
  assert.match(page.text_, /Has a disability/);
  assert.match(page.text_, /Low: rarely uses the internet or needs help/);
});
