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
    `${p}/decisions`, `${p}/decisions/${decision}`, `${p}/grants`,
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

test('every write to a care record is in the audit chain with its provenance, and the chain verifies', async () => {
  // The demo writes every part through the same functions as the pages.
  const types = `('Goal', 'CarePlanActivity', 'CarePlanReview', 'CareComment', 'WhatMatters',
    'CrisisPlan', 'ProgressNote', 'NoteView', 'NoteAmendment', 'ReviewConversation', 'SharedDecision')`;
  const writes = query(server, `SELECT resource_type, count(*) AS n FROM audit_event
    WHERE resource_type IN ${types} AND action != 'read' AND outcome = 'success' GROUP BY 1 ORDER BY 1`);
  assert.ok(writes.length >= 8, `writes of ${writes.map((w) => w.resource_type).join(', ')}`);
  const orphans = query(server, `SELECT e.seq, e.resource_type, e.action FROM audit_event e
    WHERE e.resource_type IN ${types} AND e.action != 'read' AND e.outcome = 'success'
    AND NOT EXISTS (SELECT 1 FROM provenance p WHERE p.audit_seq = e.seq AND p.resource_type = e.resource_type)`);
  assert.deepEqual(orphans, [], 'a write without provenance');
  const voices = query(server, `SELECT DISTINCT voice FROM provenance WHERE resource_type IN ${types} ORDER BY 1`).map((r) => r.voice);
  assert.deepEqual(voices, ['caregiver', 'patient', 'professional']);
  // Writes by a person on one side that the other side sees are touchpoints.
  const sides = query(server, `SELECT DISTINCT initiator_side FROM touchpoint ORDER BY 1`).map((r) => r.initiator_side);
  assert.deepEqual(sides, ['patient', 'staff']);
  const { execFileSync } = await import('node:child_process');
  const { binary } = await import('./lib.mjs');
  const out = execFileSync(binary, ['verify', '--data', server.dir], { encoding: 'utf8' });
  assert.match(out, /audit chain ok/);
});
