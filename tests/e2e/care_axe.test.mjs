// axe-core on every page of the care record, for the patient and a
// professional, in English and in Spanish (the crawl in axe.test.mjs
// stops after a few pages per role), and the Spanish pages are in
// Spanish.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, checkA11y, patientId, query } from './lib.mjs';

let server, browser, pid;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  pid = patientId(server);
});
after(async () => { await browser?.close(); await server?.stop(); });

function one(sql) {
  const rows = query(server, sql);
  assert.ok(rows.length, `no row for ${sql}`);
  return rows[0].id;
}

function pages(role) {
  const p = `/patients/${pid}`;
  const goal = one(`SELECT CAST(id AS TEXT) AS id FROM care_item WHERE patient_id = ${pid} AND kind = 'goal' AND removed = 0 ORDER BY position LIMIT 1`);
  const action = one(`SELECT CAST(id AS TEXT) AS id FROM care_item WHERE patient_id = ${pid} AND kind = 'action' AND removed = 0 LIMIT 1`);
  const note = one(`SELECT CAST(id AS TEXT) AS id FROM note WHERE patient_id = ${pid} AND shared = 1 ORDER BY written_ms DESC LIMIT 1`);
  const review = one(`SELECT CAST(id AS TEXT) AS id FROM review_conversation WHERE patient_id = ${pid} ORDER BY at_ms DESC LIMIT 1`);
  const decision = one(`SELECT CAST(id AS TEXT) AS id FROM shared_decision WHERE patient_id = ${pid} LIMIT 1`);
  const list = [
    `${p}`, `${p}/plan`, `${p}/plan/items/${goal}`, `${p}/plan/items/${action}`,
    `${p}/plan/items/${goal}/edit`, `${p}/plan/goals/new`, `${p}/plan/goals/${goal}/actions/new`,
    `${p}/plan/history`, `${p}/plan/review`,
    `${p}/matters`, `${p}/matters/edit`, `${p}/matters/history`,
    `${p}/crisis`, `${p}/crisis/edit`, `${p}/crisis/history`,
    `${p}/notes`, `${p}/notes/${note}`,
    `${p}/reviews`, `${p}/reviews/new`, `${p}/reviews/${review}`,
    `${p}/decisions`, `${p}/decisions/${decision}`,
  ];
  if (role === 'doctor') list.push(`${p}/notes/new`, `${p}/notes/cowrite`, '/panel', `${p}/decisions/new`);
  return list;
}

for (const locale of ['en-GB', 'es-ES']) {
  for (const user of ['patient', 'doctor']) {
    test(`care record pages pass axe-core for the ${user} (${locale})`, async () => {
      const page = await newPage(browser, { locale });
      await signIn(page, server.url, user);
      for (const path of pages(user)) {
        const res = await page.goto(server.url + path);
        assert.equal(res.status(), 200, `${user} ${path}`);
        await checkA11y(page, `${user} ${locale} ${path}`);
        if (locale === 'es-ES')
          assert.equal(await page.getAttribute('html', 'lang'), 'es', path);
      }
      await page.context().close();
    });
  }
}

test('administration pages of the care record pass axe-core', async () => {
  for (const locale of ['en-GB', 'es-ES']) {
    const page = await newPage(browser, { locale });
    await signIn(page, server.url, 'admin');
    for (const path of ['/admin/plain-words', '/admin/decision-aids']) {
      const res = await page.goto(server.url + path);
      assert.equal(res.status(), 200, path);
      await checkA11y(page, `admin ${locale} ${path}`);
    }
    const aid = one('SELECT CAST(id AS TEXT) AS id FROM decision_aid LIMIT 1');
    const res = await page.goto(`${server.url}/admin/decision-aids/${aid}`);
    assert.equal(res.status(), 200);
    await checkA11y(page, `admin ${locale} decision aid`);
    await page.context().close();
  }
});
