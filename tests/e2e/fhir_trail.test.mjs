// Who contributed what, through the FHIR R4 API with a real FHIR client
// (fhir-kit-client): Provenance (who wrote each change, in which voice)
// and AuditEvent (the audit chain), read-only. Each reader sees only what
// the access policy lets them read: a patient neither the note withheld
// from her nor why, the care team not who looked at the record, the
// privacy officer the whole organisation's log. Pages follow their next
// links; refusals are OperationOutcomes that change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { makeToken as makeTokenFor, fhirClient, refused, fhirRaw } from './fhir_lib.mjs';
import { startServer, Client, query, snapshot, patientId } from './lib.mjs';

const EXAMPLES = new URL('../../../shared/testdata/fhir-r4-examples/', import.meta.url);
let server, maria, other, patientToken, doctorToken;

const makeToken = (user, scopes) => makeTokenFor(server, user, scopes);
const fhir = (token) => fhirClient(server, token);
const raw = (path, opts = {}) => fhirRaw(server, path, { token: patientToken, ...opts });

function example(name, subject) {
  const r = JSON.parse(readFileSync(new URL(name, EXAMPLES), 'utf8'));
  r.subject = { reference: `Patient/${subject}` };
  return r;
}

before(async () => {
  server = await startServer();
  maria = patientId(server);
  // Another patient with a history of her own.
  other = query(server, `SELECT CAST(patient_id AS TEXT) AS id FROM provenance WHERE patient_id != ${maria} ORDER BY patient_id LIMIT 1`)[0].id;
  patientToken = await makeToken('patient', 'patient/Observation.cruds patient/Provenance.rs patient/AuditEvent.rs');
  doctorToken = await makeToken('doctor', 'user/*.rs');
});
after(async () => { await server?.stop(); });

const VOICE = 'https://cocare.org/fhir/StructureDefinition/voice';
const CHAIN = 'https://cocare.org/fhir/StructureDefinition/audit-chain';

// Every page of a search, followed by its next links.
async function allPages(client, resourceType, searchParams) {
  const out = [];
  let bundle = await client.search({ resourceType, searchParams });
  while (bundle) {
    for (const e of bundle.entry || []) out.push(e.resource);
    bundle = await client.nextPage({ bundle });
  }
  return out;
}

test('Provenance and AuditEvent show who contributed what, and each reader only what they may see', async () => {
  const provBefore = query(server, 'SELECT count(*) AS n FROM provenance')[0].n;
  const client = fhir(patientToken);
  // A reading María records: its provenance names her, in her own voice.
  const body = { ...example('Observation-heart-rate.json', maria), effectiveDateTime: '2020-02-02T10:00:00Z' };
  const obs = await client.create({ resourceType: 'Observation', body });
  let b = await client.search({ resourceType: 'Provenance', searchParams: { target: `Observation/${obs.id}` } });
  assert.equal(b.entry.length, 1);
  const prov = b.entry[0].resource;
  assert.deepEqual(prov.target, [{ reference: `Observation/${obs.id}` }]);
  assert.equal(prov.agent.length, 1);
  assert.equal(prov.agent[0].who.reference, `Patient/${maria}`);
  assert.equal(prov.agent[0].type.coding[0].code, 'author');
  assert.deepEqual(prov.agent[0].extension, [{ url: VOICE, valueCode: 'patient' }]);
  assert.equal(prov.activity.coding[0].code, 'CREATE');
  assert.ok(Math.abs(Date.parse(prov.recorded) - Date.now()) < 60000);
  assert.deepEqual(await client.read({ resourceType: 'Provenance', id: prov.id }), prov);

  // The demo record of María, as her doctor reads it: written in several
  // voices, every change attributed, newest first unless asked otherwise.
  const doctor = fhir(doctorToken);
  const all = await allPages(doctor, 'Provenance', { patient: `Patient/${maria}`, _count: 100 });
  const stored = query(server, `SELECT count(*) AS n FROM provenance WHERE patient_id = ${maria} AND activity <> 'break-glass'`)[0].n;
  assert.equal(all.length, stored, 'the team sees every change but emergency openings');
  assert.equal((await doctor.search({ resourceType: 'Provenance', searchParams: { patient: maria, _summary: 'count' } })).total, stored);
  const voices = new Set(all.map((p) => p.agent[0].extension[0].valueCode));
  assert.ok(voices.has('patient') && voices.has('professional'), [...voices].join());
  for (const p of all) {
    assert.equal(p.resourceType, 'Provenance');
    assert.ok(p.target.length === 1 && p.agent[0].who && p.recorded);
    if (p.agent[0].who.reference !== `Patient/${maria}`)
      assert.equal(p.agent[0].onBehalfOf.reference, `Patient/${maria}`);
  }
  const recorded = all.map((p) => p.recorded);
  assert.deepEqual(recorded, [...recorded].sort().reverse());
  const oldest = await doctor.search({ resourceType: 'Provenance', searchParams: { patient: maria, _sort: 'recorded', _count: 3, recorded: 'ge2000' } });
  assert.deepEqual(oldest.entry.map((e) => e.resource.recorded), recorded.slice(-3).reverse());

  // A note withheld from a patient: her doctor sees its provenance and
  // audit entries; she sees neither the note nor why it was withheld.
  const [w] = query(server, `SELECT CAST(n.patient_id AS TEXT) AS pid, CAST(n.id AS TEXT) AS note, n.withheld_reason AS reason, a.username FROM note n JOIN account a ON a.patient_id = n.patient_id AND a.role = 'patient' WHERE n.shared = 0 LIMIT 1`);
  assert.ok(w, 'the demo has a withheld note');
  const herToken = await makeToken(w.username, 'patient/*.rs');
  const hers = fhir(herToken);
  const mentions = (list) => list.filter((r) => JSON.stringify(r).includes(w.note)).length;
  assert.ok(mentions(await allPages(doctor, 'Provenance', { patient: w.pid, _count: 500 })) > 0);
  const herProv = await allPages(hers, 'Provenance', { _count: 500 });
  assert.ok(herProv.length > 0);
  assert.equal(mentions(herProv), 0);
  assert.equal((await hers.search({ resourceType: 'Provenance', searchParams: { _summary: 'count' } })).total, herProv.length);
  await new Promise((r) => setTimeout(r, 100));
  const cut = new Date().toISOString();
  const herLog = await allPages(hers, 'AuditEvent', { date: `le${cut}`, _count: 200 });
  const logged = query(server, `SELECT count(*) AS n FROM audit_event WHERE patient_id = ${w.pid} AND at_ms <= ${Date.parse(cut)}`)[0].n;
  assert.equal(herLog.length, logged, 'every entry of her record is hers to see');
  assert.equal(mentions(herLog), 0);
  assert.ok(!JSON.stringify(herLog).includes(`"${w.reason}"`), 'why it was withheld stays hidden');
  for (const e of herLog) {
    assert.equal(e.resourceType, 'AuditEvent');
    assert.ok(['C', 'R', 'U', 'D', 'E'].includes(e.action));
    assert.ok(['0', '4', '8'].includes(e.outcome));
    assert.equal(e.agent[0].requestor, true);
    assert.equal(e.source.observer.display, 'cocare');
    assert.ok(e.entity.some((x) => x.what.reference === `Patient/${w.pid}`));
  }
  const ids = herLog.map((e) => BigInt(e.id));
  assert.deepEqual(ids, [...ids].sort((a, c) => (a < c ? 1 : -1)), 'newest first');
  assert.equal(new Set(ids).size, ids.length);

  // The privacy officer reviews the whole organisation, and sees why.
  const privacy = fhir(await makeToken('privacy', 'user/*.rs'));
  const review = await allPages(privacy, 'AuditEvent', { patient: w.pid, date: `le${cut}`, _count: 500 });
  assert.equal(review.length, logged);
  assert.ok(mentions(review) > 0);
  assert.ok(JSON.stringify(review).includes(`"${w.reason}"`));
  const org = await privacy.search({ resourceType: 'AuditEvent', searchParams: { _count: 5 } });
  assert.equal(org.entry.length, 5);
  assert.ok(org.link.some((l) => l.relation === 'next'));
  const one = org.entry[0].resource;
  assert.deepEqual(await privacy.read({ resourceType: 'AuditEvent', id: one.id }), one);
  const chain = Object.fromEntries(one.extension.find((x) => x.url === CHAIN).extension.map((x) => [x.url, x.valueString]));
  const row = query(server, `SELECT hash, prev_hash FROM audit_event WHERE seq = ${one.id}`)[0];
  assert.deepEqual(chain, { seq: one.id, previousHash: row.prev_hash, hash: row.hash });

  // Whose record must be said, unless it is one's own.
  const r = await refused(doctor.search({ resourceType: 'Provenance', searchParams: {} }));
  assert.equal(r.status, 400);
  assert.equal(r.outcome.issue[0].code, 'required');

  // Reading the log is itself in the log.
  let seen = 0;
  for (let i = 0; i < 100 && !seen; i++) {
    seen = query(server, `SELECT count(*) AS n FROM audit_event a JOIN account u ON u.id = a.actor_id WHERE u.username = '${w.username}' AND a.resource_type = 'AuditEvent' AND a.action = 'read'`)[0].n;
    if (!seen) await new Promise((res) => setTimeout(res, 20));
  }
  assert.ok(seen > 0);
  // Reading wrote nothing but the log: one provenance row, the reading's.
  assert.equal(query(server, 'SELECT count(*) AS n FROM provenance')[0].n, provBefore + 1);
});

test('refused and bad requests get an OperationOutcome and change nothing', async () => {
  const privacyToken = await makeToken('privacy', 'user/*.rs');
  const before = snapshot(server);
  const doctor = fhir(doctorToken);
  const provId = query(server, `SELECT CAST(id AS TEXT) AS id FROM provenance WHERE patient_id = ${other} LIMIT 1`)[0].id;
  const seq = query(server, `SELECT CAST(seq AS TEXT) AS id FROM audit_event WHERE patient_id = ${other} LIMIT 1`)[0].id;
  const orgSeq = query(server, "SELECT CAST(seq AS TEXT) AS id FROM audit_event WHERE patient_id = 0 AND action = 'login' LIMIT 1")[0].id;
  // A patient's token never reaches another patient.
  // (Each request is made when its turn comes: one refused before it
  // is awaited would be an unhandled rejection.)
  for (const p of [
    () => fhir(patientToken).search({ resourceType: 'Provenance', searchParams: { patient: other } }),
    () => fhir(patientToken).search({ resourceType: 'AuditEvent', searchParams: { patient: other } }),
    () => fhir(patientToken).read({ resourceType: 'Provenance', id: provId }),
    () => fhir(patientToken).read({ resourceType: 'AuditEvent', id: seq }),
    // Nor the organisation's log.
    () => fhir(patientToken).read({ resourceType: 'AuditEvent', id: orgSeq }),
  ]) {
    const r = await refused(p());
    assert.equal(r.status, 403);
    assert.equal(r.outcome.resourceType, 'OperationOutcome');
    assert.equal(r.outcome.issue[0].code, 'forbidden');
  }
  // The team does not read who looked at a record; the privacy officer
  // reads access logs, not records.
  for (const p of [
    () => doctor.search({ resourceType: 'AuditEvent', searchParams: { patient: maria } }),
    () => doctor.search({ resourceType: 'AuditEvent', searchParams: {} }),
    () => doctor.read({ resourceType: 'AuditEvent', id: seq }),
    () => fhir(privacyToken).search({ resourceType: 'Provenance', searchParams: { patient: maria } }),
  ])
    assert.equal((await refused(p())).status, 403);
  // No token, a wrong token.
  for (const token of [null, 'cct_' + '0'.repeat(64)]) {
    for (const path of [`/fhir/Provenance?patient=${maria}`, `/fhir/AuditEvent/${seq}`]) {
      const x = await raw(path, { token });
      assert.equal(x.status, 401, path);
      assert.equal(x.body.resourceType, 'OperationOutcome');
    }
  }
  // Bad parameters, read-only types, no such resource.
  const bad = [
    ['/fhir/Provenance?target=Observation', 400, 'target'],
    ['/fhir/Provenance?recorded=yesterday', 400, 'recorded'],
    ['/fhir/Provenance?date=ge2020', 400, 'date'],
    ['/fhir/Provenance?_sort=date', 400, '_sort'],
    ['/fhir/Provenance?patient:missing=true', 400, 'patient'],
    ['/fhir/Provenance?_include=Provenance:target', 400, '_include'],
    ['/fhir/Provenance?_cursor=junk', 400, '_cursor'],
    ['/fhir/AuditEvent?date=soon', 400, 'date'],
    ['/fhir/AuditEvent?agent=Device/1', 400, 'agent'],
    ['/fhir/AuditEvent?entity-type=2', 400, 'entity-type'],
    ['/fhir/AuditEvent?_count=5000', 400, '_count'],
    ['/fhir/Provenance/999999999', 404],
    ['/fhir/AuditEvent/999999999', 404],
    ['/fhir/AuditEvent/abc', 404],
  ];
  for (const [path, status, where] of bad) {
    const r = await raw(path);
    assert.equal(r.status, status, path);
    assert.equal(r.body.resourceType, 'OperationOutcome', path);
    if (where) assert.ok(r.body.issue.some((i) => (i.expression || []).includes(where)), `${path}: ${JSON.stringify(r.body.issue)}`);
  }
  const r = await raw(`/fhir/Provenance?patient=${maria}`, { token: doctorToken });
  assert.equal(r.status, 200);
  for (const [path, method] of [['/fhir/Provenance', 'POST'], ['/fhir/AuditEvent', 'POST'], [`/fhir/Provenance/${provId}`, 'DELETE'], [`/fhir/AuditEvent/${seq}`, 'PUT']]) {
    const x = await raw(path, { method, token: doctorToken, headers: { 'content-type': 'application/fhir+json' }, body: '{"resourceType":"Provenance"}' });
    assert.equal(x.status, 405, `${method} ${path}`);
    assert.equal(x.body.resourceType, 'OperationOutcome');
  }
  assert.equal(snapshot(server), before, 'nothing changed');
  // Refusals are audited (within the batching delay of reads' events).
  let denied = 0;
  for (let i = 0; i < 100 && denied < 9; i++) {
    denied = query(server, "SELECT count(*) AS n FROM audit_event WHERE outcome = 'denied' AND resource_type IN ('Provenance', 'AuditEvent')")[0].n;
    if (denied < 9) await new Promise((res) => setTimeout(res, 20));
  }
  assert.equal(denied, 9, 'refusals are audited');
});
