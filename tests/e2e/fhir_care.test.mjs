// The care record through the FHIR API with a real FHIR client library
// (fhir-kit-client): the shared care plan and the crisis plan as
// CarePlans, the plan's goals as Goals and progress notes as
// Compositions, read and searched page by page while notes are added; a
// note withheld from the patient reaching the care team only, never the
// patient or a caregiver; tokens that stay within their patient; and bad
// parameters refused with an OperationOutcome that changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeToken as makeTokenFor, fhirClient, refused, fhirRaw } from './fhir_lib.mjs';
import { startServer, Client, query, snapshot, patientId } from './lib.mjs';

const EXT = 'https://cocare.org/fhir/StructureDefinition/';
const CRISIS_BASE = 2n ** 62n;
let server, maria, other, patientToken, doctorToken, carerToken, noPlanToken;

const makeToken = (user, scopes) => makeTokenFor(server, user, scopes);
const fhir = (token) => fhirClient(server, token);
const raw = (path, opts = {}) => fhirRaw(server, path, { token: patientToken, ...opts });

// Every resource of a search, following the next links; and the pages.
async function all(client, resourceType, searchParams) {
  let bundle = await client.search({ resourceType, searchParams });
  const got = [];
  let pages = 0;
  while (bundle) {
    pages++;
    for (const e of bundle.entry || []) got.push(e.resource);
    bundle = await client.nextPage({ bundle });
  }
  return { got, pages };
}

// A note on María's record written by the doctor on the notes page.
async function writeNote(fields) {
  const c = new Client(server.url);
  await c.signIn('doctor');
  const csrf = await c.csrf(`/patients/${maria}/notes/new`);
  const res = await c.post(`/patients/${maria}/notes/new`, { csrf, ...fields });
  assert.equal(res.status, 303, res.text_?.slice(0, 300));
}

const ext = (r, url) => (r.extension || []).find((e) => e.url === EXT + url);
const careScopes = 'patient/CarePlan.rs patient/Goal.rs patient/Composition.rs';

before(async () => {
  server = await startServer();
  maria = patientId(server);
  other = query(server, `SELECT CAST(patient_id AS TEXT) AS id FROM care_item WHERE patient_id != ${maria} ORDER BY patient_id LIMIT 1`)[0].id;
  patientToken = await makeToken('patient', careScopes);
  doctorToken = await makeToken('doctor', 'user/*.rs');
  carerToken = await makeToken('caregiver', 'user/*.rs');
  // A patient whose token reaches only its own record, here María's
  // Patient alone: no scope for the care record.
  noPlanToken = await makeToken('patient', 'patient/Patient.r');
});
after(async () => { await server?.stop(); });

test('the CapabilityStatement lists the care record types with what they take', async () => {
  const cs = await fhir(undefined).capabilityStatement();
  const types = Object.fromEntries(cs.rest[0].resource.map((r) => [r.type, r]));
  for (const [type, params] of [
    ['CarePlan', ['patient', 'subject', 'category', '_lastUpdated']],
    ['Goal', ['patient', 'subject', 'lifecycle-status', '_lastUpdated']],
    ['Composition', ['patient', 'subject', 'date', '_lastUpdated']],
  ]) {
    assert.ok(types[type], type);
    const writes = type === 'Goal' ? ['create', 'update', 'patch', 'delete'] : [];
    assert.deepEqual(types[type].interaction.map((i) => i.code), ['read', 'search-type', ...writes], type);
    assert.deepEqual(types[type].searchParam.map((p) => p.name), params, type);
  }
  // Plans are written on the pages (goals also through the API).
  const r = await raw('/fhir/CarePlan', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{"resourceType":"CarePlan"}' });
  assert.equal(r.status, 405);
  assert.equal(r.body.resourceType, 'OperationOutcome');
});

test('a patient reads her shared care plan, crisis plan and goals, page by page', async () => {
  const client = fhir(patientToken);
  // Her own record without naming it; the shared plan first.
  const { got: plans, pages } = await all(client, 'CarePlan', { _count: 1 });
  assert.equal(pages, 2);
  assert.deepEqual(plans.map((p) => p.id), [maria, String(CRISIS_BASE + BigInt(maria))]);
  const [shared, crisis] = plans;
  assert.equal(shared.category[0].coding[0].code, 'assess-plan');
  assert.equal(crisis.category[0].coding[0].system, 'https://cocare.org/fhir/CodeSystem/careplan-category');
  assert.equal(crisis.category[0].coding[0].code, 'crisis-plan');
  for (const p of plans) {
    assert.equal(p.status, 'active');
    assert.equal(p.intent, 'plan');
    assert.equal(p.subject.reference, `Patient/${maria}`);
    // Read gives the same resource, with its version as the ETag.
    const r = await raw(`/fhir/CarePlan/${p.id}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, p);
    assert.equal(r.headers.get('etag'), `W/"${p.meta.versionId}"`);
  }
  // The shared plan's version moves with the plan, what matters and reviews.
  const planVersion = query(server, `SELECT version FROM care_plan WHERE patient_id = ${maria}`)[0].version;
  const mattersVersion = query(server, `SELECT version FROM what_matters WHERE patient_id = ${maria}`)[0].version;
  const reviews = query(server, `SELECT count(*) AS n FROM plan_review WHERE patient_id = ${maria}`)[0].n;
  assert.equal(shared.meta.versionId, String(planVersion + mattersVersion + reviews));
  assert.equal(ext(shared, 'plan-version').valueInteger, planVersion);
  const matters = ext(shared, 'what-matters').extension;
  assert.match(matters.find((e) => e.url === 'what_matters').valueString, /Lucía/);
  // Every action of the plan is an activity, with who does it.
  const actions = query(server, `SELECT CAST(id AS TEXT) AS id, text FROM care_item WHERE patient_id = ${maria} AND kind = 'action' AND removed = 0`);
  assert.deepEqual(shared.activity.map((a) => a.id).sort(), actions.map((a) => a.id).sort());
  for (const a of shared.activity) {
    assert.equal(a.detail.description, actions.find((x) => x.id === a.id).text);
    assert.ok(a.detail.performer[0].reference || a.detail.performer[0].identifier, 'who does it');
    assert.ok(['patient', 'caregiver', 'professional'].includes(ext(a, 'voice').valueCode));
  }
  // The crisis plan: one activity per item, as on the pocket card.
  const lines = query(server, `SELECT warning_signs FROM crisis_plan WHERE patient_id = ${maria}`)[0].warning_signs
    .split('\n').map((l) => l.trim()).filter(Boolean);
  assert.deepEqual(crisis.activity.filter((a) => a.detail.code.coding[0].code === 'warning_signs').map((a) => a.detail.description), lines);

  // Goals, two a page, are the plan's goals in the plan's order.
  const goals = await all(client, 'Goal', { patient: `Patient/${maria}`, _count: 2 });
  assert.deepEqual(goals.got.map((g) => `Goal/${g.id}`), shared.goal.map((g) => g.reference));
  assert.equal(goals.pages, Math.ceil(shared.goal.length / 2));
  const g = await client.read({ resourceType: 'Goal', id: goals.got[0].id });
  assert.deepEqual(g, goals.got[0]);
  assert.equal(g.subject.reference, `Patient/${maria}`);
  assert.ok(g.description.text);
  const achieved = await client.search({ resourceType: 'Goal', searchParams: { 'lifecycle-status': 'completed' } });
  const nAchieved = query(server, `SELECT count(*) AS n FROM care_item WHERE patient_id = ${maria} AND kind = 'goal' AND removed = 0 AND status = 'achieved'`)[0].n;
  assert.equal((achieved.entry || []).length, nAchieved);
  const count = await client.search({ resourceType: 'Goal', searchParams: { 'lifecycle-status': 'active,completed,cancelled', _summary: 'count' } });
  assert.equal(count.total, shared.goal.length);
  // An action's id is no Goal.
  assert.equal((await raw(`/fhir/Goal/${shared.activity[0].id}`)).status, 404);

  // Category and _lastUpdated narrow the plans.
  let b = await client.search({ resourceType: 'CarePlan', searchParams: { category: 'https://cocare.org/fhir/CodeSystem/careplan-category|crisis-plan' } });
  assert.deepEqual(b.entry.map((e) => e.resource.id), [crisis.id]);
  b = await client.search({ resourceType: 'CarePlan', searchParams: { category: 'crisis-plan', _lastUpdated: `gt${crisis.meta.lastUpdated}` } });
  assert.equal((b.entry || []).length, 0);
  b = await client.search({ resourceType: 'CarePlan', searchParams: { subject: maria, _summary: 'count' } });
  assert.equal(b.total, 2);
});

test('notes page by page while more are written, withheld ones only for the care team', async () => {
  const client = fhir(patientToken);
  const shared = query(server, `SELECT CAST(id AS TEXT) AS id FROM note WHERE patient_id = ${maria} AND shared = 1 ORDER BY written_ms DESC, id DESC`).map((r) => r.id);
  assert.ok(shared.length >= 4);
  let bundle = await client.search({ resourceType: 'Composition', searchParams: { _count: 2 } });
  const seen = [];
  let pages = 0;
  while (bundle) {
    pages++;
    for (const e of bundle.entry || []) seen.push(e.resource.id);
    if (pages === 1) {
      // Notes written meanwhile, one withheld: no page repeats or skips one.
      await writeNote({ title: 'Between pages', body: 'Written while she read.', share: 'yes' });
      await writeNote({ title: 'Not for her', body: 'About her neighbour.', share: 'no', reason: 'third-party' });
    }
    bundle = await client.nextPage({ bundle });
  }
  assert.deepEqual(seen, shared, 'newest first, each once');
  assert.equal(pages, Math.ceil(shared.length / 2));
  const withheld = query(server, `SELECT CAST(id AS TEXT) AS id FROM note WHERE patient_id = ${maria} AND shared = 0`)[0].id;

  // A note read alone is the same as in the search.
  const first = await client.search({ resourceType: 'Composition', searchParams: { _count: 1 } });
  const note = first.entry[0].resource;
  assert.equal(note.title, 'Between pages');
  assert.deepEqual(await client.read({ resourceType: 'Composition', id: note.id }), note);
  assert.equal(note.type.coding[0].code, '11506-3');
  assert.equal(note.subject.reference, `Patient/${maria}`);
  assert.match(note.section[0].text.div, /^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml"><p>Written while she read.<\/p>/);
  assert.equal(ext(note.section[0], 'markdown').valueMarkdown, 'Written while she read.');
  // The note written together keeps whose words each paragraph is.
  const all_ = await all(client, 'Composition', { _count: 50, _sort: 'date' });
  const cowritten = all_.got.find((n) => ext(n, 'cowritten').valueBoolean);
  assert.ok(cowritten.section.some((s) => s.author[0].reference === `Patient/${maria}`));
  assert.ok(cowritten.section.some((s) => s.author[0].type === 'Practitioner'));
  // Oldest first: the ones paged through before, and the new one last.
  assert.deepEqual(all_.got.map((n) => n.id), [note.id, ...seen].reverse());

  // The withheld note: never to the patient, not even as a count...
  assert.ok(!all_.got.some((n) => n.id === withheld));
  let r = await refused(client.read({ resourceType: 'Composition', id: withheld }));
  assert.equal(r.status, 404);
  assert.equal(r.outcome.resourceType, 'OperationOutcome');
  const count = await client.search({ resourceType: 'Composition', searchParams: { _summary: 'count' } });
  assert.equal(count.total, shared.length + 1);
  // ...nor to her caregiver, who reads her shared notes...
  const carer = fhir(carerToken);
  const carerNotes = await all(carer, 'Composition', { patient: maria, _count: 100 });
  assert.equal(carerNotes.got.length, shared.length + 1);
  assert.ok(!carerNotes.got.some((n) => n.id === withheld));
  r = await refused(carer.read({ resourceType: 'Composition', id: withheld }));
  assert.equal(r.status, 404);
  // ...but to her doctor, with the reason.
  const doctor = fhir(doctorToken);
  const w = await doctor.read({ resourceType: 'Composition', id: withheld });
  assert.equal(ext(w, 'shared-with-patient').valueBoolean, false);
  assert.equal(ext(w, 'withheld-reason').valueCoding.code, 'third-party');
  const docNotes = await doctor.search({ resourceType: 'Composition', searchParams: { patient: `Patient/${maria}`, _summary: 'count' } });
  assert.equal(docNotes.total, shared.length + 2);
  // Dates narrow by when a note was written.
  const old = await doctor.search({ resourceType: 'Composition', searchParams: { patient: maria, date: `lt${all_.got[1].date}` } });
  assert.deepEqual(old.entry.map((e) => e.resource.id), [all_.got[0].id]);
  const recent = await doctor.search({ resourceType: 'Composition', searchParams: { patient: maria, _lastUpdated: 'ge' + new Date(Date.now() - 600000).toISOString() } });
  assert.deepEqual(recent.entry.map((e) => e.resource.id).sort(), [note.id, withheld].sort());
  // Reads and searches are in the audit chain, as the patient sees it.
  const audited = query(server, `SELECT count(*) AS n FROM audit_event WHERE resource_type = 'Composition' AND resource_id = '${withheld}' AND outcome = 'success'`)[0].n;
  assert.ok(audited >= 1);
});

test('a token stays within its patient, and no token gets nothing', async () => {
  const before = snapshot(server);
  const otherGoal = query(server, `SELECT CAST(id AS TEXT) AS id FROM care_item WHERE patient_id = ${other} AND kind = 'goal' AND removed = 0 LIMIT 1`)[0].id;
  const otherNote = query(server, `SELECT CAST(id AS TEXT) AS id FROM note WHERE patient_id != ${maria} AND shared = 1 LIMIT 1`)[0].id;
  const client = fhir(patientToken);
  for (const [what, p] of [
    ['CarePlan read', () => client.read({ resourceType: 'CarePlan', id: other })],
    ['crisis plan read', () => client.read({ resourceType: 'CarePlan', id: String(CRISIS_BASE + BigInt(other)) })],
    ['Goal read', () => client.read({ resourceType: 'Goal', id: otherGoal })],
    ['Composition read', () => client.read({ resourceType: 'Composition', id: otherNote })],
    ['CarePlan search', () => client.search({ resourceType: 'CarePlan', searchParams: { patient: other } })],
    ['Goal search', () => client.search({ resourceType: 'Goal', searchParams: { subject: `Patient/${other}` } })],
    ['Composition search', () => client.search({ resourceType: 'Composition', searchParams: { patient: other } })],
    // A token without the care record's scopes.
    ['no scope', () => fhir(noPlanToken).read({ resourceType: 'CarePlan', id: maria })],
    ['no scope search', () => fhir(noPlanToken).search({ resourceType: 'Composition', searchParams: {} })],
  ]) {
    // Made one at a time: a refusal is awaited as soon as it comes.
    const r = await refused(p());
    assert.equal(r.status, 403, what);
    assert.equal(r.outcome.resourceType, 'OperationOutcome', what);
    assert.equal(r.outcome.issue[0].code, 'forbidden', what);
  }
  // No token, or a wrong one.
  for (const path of [`/fhir/CarePlan/${maria}`, '/fhir/Goal', `/fhir/Composition?patient=${maria}`]) {
    for (const token of [null, 'cct_' + '0'.repeat(64)]) {
      const x = await raw(path, { token });
      assert.equal(x.status, 401, path);
      assert.equal(x.body.resourceType, 'OperationOutcome', path);
    }
  }
  assert.equal(snapshot(server), before, 'nothing changed');
  const denied = query(server, `SELECT count(*) AS n FROM audit_event WHERE outcome = 'denied' AND resource_type IN ('CarePlan', 'Goal', 'Composition')`)[0].n;
  assert.ok(denied >= 7, 'refusals are audited');
});

test('bad parameters get an OperationOutcome and change nothing', async () => {
  const before = snapshot(server);
  const cases = [
    ['/fhir/CarePlan?colour=blue', 400, 'not-supported', 'colour'],
    ['/fhir/CarePlan?category:not=crisis-plan', 400, 'not-supported', 'category'],
    ['/fhir/CarePlan?_lastUpdated=2024-1', 400, 'value', '_lastUpdated'],
    ['/fhir/CarePlan?_lastUpdated=ne2024', 400, 'not-supported', '_lastUpdated'],
    ['/fhir/CarePlan?patient=Observation/1', 400, 'value', 'patient'],
    ['/fhir/CarePlan?patient:missing=true', 400, 'not-supported', 'patient'],
    ['/fhir/CarePlan?_sort=date', 400, 'not-supported', '_sort'],
    ['/fhir/Goal?lifecycle-status:not=active', 400, 'not-supported', 'lifecycle-status'],
    ['/fhir/Goal?target-date=2026', 400, 'not-supported', 'target-date'],
    ['/fhir/Goal?_cursor=junk', 400, 'value', '_cursor'],
    ['/fhir/Goal?_sort=date', 400, 'not-supported', '_sort'],
    ['/fhir/Composition?date=2024-13-01', 400, 'value', 'date'],
    ['/fhir/Composition?type=11506-3', 400, 'not-supported', 'type'],
    ['/fhir/Composition?_count=5000', 400, 'value', '_count'],
    ['/fhir/Composition?_include=Composition:patient', 400, 'not-supported', '_include'],
    ['/fhir/Composition?_cursor=1.x', 400, 'value', '_cursor'],
    ['/fhir/Composition?patient=999999999', 404, 'not-found', 'patient'],
    ['/fhir/CarePlan/abc', 404, 'not-found'],
    ['/fhir/CarePlan/4611686018427387904', 404, 'not-found'],
    ['/fhir/CarePlan/999999999', 404, 'not-found'],
    ['/fhir/Goal/999999999', 404, 'not-found'],
    ['/fhir/Composition/999999999', 404, 'not-found'],
  ];
  for (const [path, status, code, where] of cases) {
    const r = await raw(path);
    assert.equal(r.status, status, path);
    assert.equal(r.body.resourceType, 'OperationOutcome', path);
    assert.equal(r.body.issue[0].code, code, path);
    if (where) assert.deepEqual(r.body.issue[0].expression, [where], path);
  }
  // Staff must say whose records.
  for (const type of ['CarePlan', 'Goal', 'Composition']) {
    const r = await refused(fhir(doctorToken).search({ resourceType: type, searchParams: {} }));
    assert.equal(r.status, 400, type);
    assert.equal(r.outcome.issue[0].code, 'required', type);
    assert.deepEqual(r.outcome.issue[0].expression, ['patient'], type);
  }
  assert.equal(snapshot(server), before, 'nothing changed');
});
