// The FHIR R4 API through a real FHIR client library (fhir-kit-client):
// the CapabilityStatement checked against the server, a patient's token
// recording readings and paging through them, official HL7 examples
// round-tripped, scopes that narrow, and bad input refused with an
// OperationOutcome that changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { makeToken as makeTokenFor, fhirClient, refused, fhirRaw } from './fhir_lib.mjs';
import { startServer, Client, query, snapshot, patientId } from './lib.mjs';

const EXAMPLES = new URL('../../../shared/testdata/fhir-r4-examples/', import.meta.url);
const MAX_UPLOAD = 262144;
let server, maria, other, patientToken, readOnlyToken, doctorToken;

const makeToken = (user, scopes) => makeTokenFor(server, user, scopes);
const fhir = (token) => fhirClient(server, token);
const raw = (path, opts = {}) => fhirRaw(server, path, { token: patientToken, ...opts });

function example(name, subject) {
  const r = JSON.parse(readFileSync(new URL(name, EXAMPLES), 'utf8'));
  r.subject = { reference: `Patient/${subject}` };
  return r;
}

before(async () => {
  server = await startServer({ extraEnv: { COCARE_MAX_UPLOAD: String(MAX_UPLOAD) } });
  maria = patientId(server);
  other = query(server, `SELECT CAST(id AS TEXT) AS id FROM patient WHERE id != ${maria} ORDER BY id LIMIT 1`)[0].id;
  patientToken = await makeToken('patient', 'patient/Observation.cruds patient/Patient.rs '
    + 'patient/CareTeam.rs patient/Consent.rs patient/RelatedPerson.rs patient/Provenance.rs patient/AuditEvent.rs '
    + 'user/Organization.rs user/Practitioner.rs user/PractitionerRole.rs');
  readOnlyToken = await makeToken('patient', 'patient/*.rs user/Organization.rs user/Practitioner.rs user/PractitionerRole.rs');
  doctorToken = await makeToken('doctor', 'user/*.rs');
});
after(async () => { await server?.stop(); });

test('the CapabilityStatement lists what the server does, and each listed interaction works', async () => {
  const cs = await fhir(undefined).capabilityStatement();
  assert.equal(cs.resourceType, 'CapabilityStatement');
  assert.equal(cs.fhirVersion, '4.0.1');
  const body = example('Observation-heart-rate.json', maria);
  const created = await fhir(patientToken).create({ resourceType: 'Observation', body });
  // One resource of each type María's token may read, and how it was made.
  const ids = { Patient: maria, Observation: created.id };
  // The people around María: her team, her caregiver's grant, her staff.
  const grant = (await fhir(patientToken).search({ resourceType: 'Consent', searchParams: { _count: 1 } })).entry[0].resource.id;
  const doctor = query(server, "SELECT CAST(id AS TEXT) AS id, CAST(org_id AS TEXT) AS org FROM account WHERE username = 'doctor'")[0];
  Object.assign(ids, { CareTeam: maria, Consent: grant, RelatedPerson: grant, Practitioner: doctor.id, PractitionerRole: doctor.id, Organization: doctor.org });
  // The care record: María's shared care plan, one of its goals, a note.
  ids.CarePlan = maria;
  ids.Goal = query(server, `SELECT CAST(id AS TEXT) AS id FROM care_item WHERE patient_id = ${maria} AND kind = 'goal' AND removed = 0 LIMIT 1`)[0].id;
  ids.Composition = query(server, `SELECT CAST(id AS TEXT) AS id FROM note WHERE patient_id = ${maria} AND shared = 1 LIMIT 1`)[0].id;
  // Contact: one of María's messages and appointments.
  ids.Communication = query(server, `SELECT CAST(id AS TEXT) AS id FROM message WHERE patient_id = ${maria} LIMIT 1`)[0].id;
  ids.Appointment = query(server, `SELECT CAST(id AS TEXT) AS id FROM appointment WHERE patient_id = ${maria} LIMIT 1`)[0].id;
  // Who contributed what: the reading's provenance, and the audit trail.
  ids.Provenance = query(server, `SELECT CAST(id AS TEXT) AS id FROM provenance WHERE resource_type = 'Observation' AND resource_id = '${created.id}'`)[0].id;
  ids.AuditEvent = query(server, `SELECT CAST(seq AS TEXT) AS id FROM audit_event WHERE patient_id = ${maria} ORDER BY seq DESC LIMIT 1`)[0].id;
  // Questionnaires: one the administrator adds, and answers to it.
  const admin = await makeToken('admin', 'user/Questionnaire.c');
  const gcs = JSON.parse(readFileSync(new URL('Questionnaire-gcs.json', EXAMPLES), 'utf8'));
  ids.Questionnaire = (await fhir(admin).create({ resourceType: 'Questionnaire', body: gcs })).id;
  const answers = example('QuestionnaireResponse-gcs.json', maria);
  answers.questionnaire = `Questionnaire/${ids.Questionnaire}`;
  const answerer = await makeToken('patient', 'patient/QuestionnaireResponse.c');
  ids.QuestionnaireResponse = (await fhir(answerer).create({ resourceType: 'QuestionnaireResponse', body: answers })).id;
  // Writes are tested below (and in fhir_measures.test.mjs); each listed one must be.
  const made = { Observation: true, Patient: true, Questionnaire: true, QuestionnaireResponse: true, Goal: true, Communication: true };
  // Updates (PUT and PATCH) and deletes, with where they are tested.
  const updated = { Patient: 'below', Goal: 'fhir_write.test.mjs' };
  const deleted = { Goal: 'fhir_write.test.mjs' };
  const patcher = await makeToken('doctor', 'user/*.ru');
  const checks = {
    read: async (type) => assert.equal((await fhir(readOnlyToken).read({ resourceType: type, id: ids[type] })).id, ids[type]),
    'search-type': async (type) => {
      const b = await fhir(readOnlyToken).search({ resourceType: type, searchParams: { _count: 1 } });
      assert.equal(b.resourceType, 'Bundle');
      assert.equal(b.type, 'searchset');
    },
    create: async (type) => assert.ok(made[type], `${type} create is listed but not tested here`),
    update: async (type) => assert.ok(updated[type], `${type} update is listed but not tested`),
    patch: async (type) => {
      assert.ok(updated[type], `${type} patch is listed but not tested`);
      // A patch whose test fails is refused, and says why.
      const r = await raw(`/fhir/${type}/${ids[type]}`, { method: 'PATCH', token: patcher, body: '[{"op":"test","path":"/id","value":"0"}]', headers: { 'content-type': 'application/json-patch+json' } });
      assert.equal(r.status, 422, type);
      assert.equal(r.body.resourceType, 'OperationOutcome');
    },
    delete: async (type) => assert.ok(deleted[type], `${type} delete is listed but not tested`),
    vread: async (type) => {
      const now = await fhir(readOnlyToken).read({ resourceType: type, id: ids[type] });
      assert.deepEqual(await fhir(readOnlyToken).vread({ resourceType: type, id: ids[type], version: now.meta.versionId }), now);
    },
    'history-type': async (type) => {
      const b = await fhir(readOnlyToken).typeHistory({ resourceType: type, options: { qs: { _count: 5 } } });
      assert.equal(b.type, 'history');
      assert.ok(b.entry.length > 0);
    },
    'history-instance': async (type) => {
      const b = await fhir(readOnlyToken).history({ resourceType: type, id: ids[type] });
      assert.equal(b.type, 'history');
      assert.equal(b.entry[0].resource.id, ids[type]);
    },
  };
  for (const r of cs.rest[0].resource) {
    assert.ok(ids[r.type], `no test resource for ${r.type}`);
    for (const i of r.interaction) {
      assert.ok(checks[i.code], `${r.type} lists ${i.code}, which no test checks`);
      await checks[i.code](r.type);
    }
    // Every search parameter listed is one the server takes.
    for (const p of r.searchParam || []) {
      const value = p.type === 'date' ? 'ge2000-01-01' : p.type === 'reference' ? `Patient/${maria}` : 'http://loinc.org|8867-4';
      const b = await fhir(readOnlyToken).search({ resourceType: r.type, searchParams: { [p.name]: value } });
      assert.equal(b.resourceType, 'Bundle', `${r.type}?${p.name}`);
    }
  }
  // A type that is not listed is not there.
  assert.equal((await raw('/fhir/Medication/1')).status, 404);
  const r = await raw('/fhir/Observation/' + created.id, { method: 'DELETE' });
  assert.equal(r.status, 405);
  assert.equal(r.body.resourceType, 'OperationOutcome');
});

test('a patient records readings and pages through them while more arrive', async () => {
  const client = fhir(patientToken);
  const me = await client.read({ resourceType: 'Patient', id: maria });
  assert.equal(me.resourceType, 'Patient');
  assert.ok(me.name[0].family);
  const base = Date.UTC(2019, 0, 1, 8);
  for (let i = 0; i < 7; i++) {
    const created = await client.create({
      resourceType: 'Observation',
      body: {
        resourceType: 'Observation', status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
        subject: { reference: `Patient/${maria}` },
        effectiveDateTime: new Date(base + i * 86400000).toISOString(),
        valueQuantity: { value: 80 + i / 10, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
      },
    });
    assert.equal(created.valueQuantity.value, 80 + i / 10);
    // Saved means stored: it is in the database when the answer comes.
    assert.equal(query(server, `SELECT count(*) AS n FROM reading WHERE id = ${created.id}`)[0].n, 1);
  }
  let bundle = await client.search({ resourceType: 'Observation', searchParams: { code: 'http://loinc.org|29463-7', date: ['ge2019-01-01', 'lt2019-02'], _count: 3, _sort: 'date' } });
  const seen = [];
  let pages = 0;
  while (bundle) {
    pages++;
    for (const e of bundle.entry || []) seen.push(e.resource.effectiveDateTime);
    if (pages === 1) {
      // A reading added before the first page's date does not shift the pages.
      await client.create({ resourceType: 'Observation', body: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] }, subject: { reference: `Patient/${maria}` }, effectiveDateTime: '2019-01-01T06:00:00Z', valueQuantity: { value: 79, code: 'kg', system: 'http://unitsofmeasure.org' } } });
    }
    bundle = await client.nextPage({ bundle });
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, [...seen].sort(), 'oldest first');
  assert.equal(new Set(seen).size, 7, 'no reading twice, none skipped');
  const count = await client.search({ resourceType: 'Observation', searchParams: { code: '29463-7', date: ['ge2019-01-01', 'lt2019-02'], _summary: 'count' } });
  assert.equal(count.total, 8);
  const inc = await client.search({ resourceType: 'Observation', searchParams: { _count: 1, _include: 'Observation:patient' } });
  assert.deepEqual(inc.entry.map((e) => e.search.mode), ['match', 'include']);
  assert.equal(inc.entry[1].resource.id, maria);
  // The same reading sent again is kept once.
  const again = await raw('/fhir/Observation', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] }, subject: { reference: `Patient/${maria}` }, effectiveDateTime: '2019-01-01T06:00:00Z', valueQuantity: { value: 79, code: 'kg', system: 'http://unitsofmeasure.org' } }) });
  assert.equal(again.status, 200);
  assert.equal(query(server, `SELECT count(*) AS n FROM reading WHERE patient_id = ${maria} AND kind = 'weight' AND at_ms = ${Date.UTC(2019, 0, 1, 6)}`)[0].n, 1);
  // Every write is attributed: provenance in the patient's voice, via the API.
  const prov = query(server, `SELECT voice, COUNT(*) AS n FROM provenance WHERE resource_type = 'Observation' AND patient_id = ${maria} AND at_ms >= ${Date.now() - 600000} GROUP BY voice`);
  assert.deepEqual(prov.map((p) => p.voice), ['patient']);
  const tp = query(server, `SELECT channel FROM touchpoint WHERE resource_type = 'Observation' AND patient_id = ${maria} ORDER BY at_ms DESC LIMIT 1`);
  assert.equal(tp[0]?.channel, 'api');
});

test('official HL7 examples are stored and read back field by field', async () => {
  const client = fhir(patientToken);
  const kept = {
    'Observation-body-temperature.json': 'body-temperature',
    'Observation-heart-rate.json': 'heart-rate',
    'Observation-blood-pressure.json': 'blood-pressure',
    'Observation-satO2.json': 'satO2',
    'Observation-example.json': 'weight',
  };
  for (const name of Object.keys(kept)) {
    const sent = example(name, maria);
    const got = await client.create({ resourceType: 'Observation', body: sent });
    const back = await client.read({ resourceType: 'Observation', id: got.id });
    assert.deepEqual(back, got, name);
    // What cocare keeps: status, code, subject, time and value.
    assert.equal(back.status, 'final', name);
    assert.ok(back.code.coding.some((c) => c.system === 'http://loinc.org' && sent.code.coding.some((s) => s.system === c.system && s.code === c.code)), name);
    assert.equal(back.subject.reference, `Patient/${maria}`);
    assert.equal(Date.parse(back.effectiveDateTime), Date.parse(sent.effectiveDateTime ?? sent.effectivePeriod?.start), name);
    const sentQ = (q) => q && { value: q.value, code: q.code };
    if (sent.valueQuantity && sent.valueQuantity.code === back.valueQuantity.code)
      assert.deepEqual(sentQ(back.valueQuantity), sentQ(sent.valueQuantity), name);
    else if (sent.valueQuantity?.code === '[lb_av]')
      // Kept in kilograms, to the gram.
      assert.deepEqual(sentQ(back.valueQuantity), { value: Math.round(sent.valueQuantity.value * 453.59237) / 1000, code: 'kg' }, name);
    else
      assert.equal(sent.valueQuantity, undefined, `${name}: a value in another unit`);
    for (const c of sent.component || []) {
      const code = c.code.coding[0].code;
      const b = back.component.find((x) => x.code.coding[0].code === code);
      assert.deepEqual(sentQ(b.valueQuantity), sentQ(c.valueQuantity), `${name} ${code}`);
    }
  }
});

test('scopes narrow what the person may do', async () => {
  const before = snapshot(server);
  // A patient's token never reaches another patient.
  let r = await refused(fhir(patientToken).read({ resourceType: 'Patient', id: other }));
  assert.equal(r.status, 403);
  assert.equal(r.outcome.resourceType, 'OperationOutcome');
  assert.equal(r.outcome.issue[0].code, 'forbidden');
  r = await refused(fhir(patientToken).search({ resourceType: 'Observation', searchParams: { patient: other } }));
  assert.equal(r.status, 403);
  // .rs cannot write.
  r = await refused(fhir(readOnlyToken).create({ resourceType: 'Observation', body: example('Observation-heart-rate.json', maria) }));
  assert.equal(r.status, 403);
  // user/*.rs reads what the doctor may read, and nothing is written.
  const b = await fhir(doctorToken).search({ resourceType: 'Observation', searchParams: { patient: maria, _count: 2 } });
  assert.ok(b.entry.length > 0);
  r = await refused(fhir(doctorToken).create({ resourceType: 'Observation', body: example('Observation-heart-rate.json', maria) }));
  assert.equal(r.status, 403);
  // No token, a wrong token.
  for (const token of [null, 'cct_' + '0'.repeat(64), 'nonsense']) {
    const x = await raw(`/fhir/Patient/${maria}`, { token });
    assert.equal(x.status, 401);
    assert.equal(x.body.resourceType, 'OperationOutcome');
    assert.match(x.headers.get('www-authenticate'), /^Bearer/);
  }
  // A session cookie is not a token.
  const c = new Client(server.url);
  await c.signIn('patient');
  assert.equal((await c.request(`/fhir/Patient/${maria}`)).status, 401);
  assert.equal(snapshot(server), before, 'nothing changed');
  const denied = query(server, `SELECT count(*) AS n FROM audit_event WHERE outcome = 'denied' AND resource_type IN ('Patient', 'Observation')`);
  assert.ok(denied[0].n >= 4, 'refusals are audited');
});

test('bad input gets an OperationOutcome and changes nothing', async () => {
  const before = snapshot(server);
  const good = example('Observation-heart-rate.json', maria);
  const cases = [
    ['not JSON', '{"resourceType": "Observation",', 400, 'structure'],
    ['an array', '[]', 400, 'structure'],
    ['a repeated name', '{"resourceType":"Observation","status":"final","status":"final"}', 400, 'structure'],
    ['another type', JSON.stringify({ ...good, resourceType: 'Patient' }), 400, 'invalid'],
    ['an unknown element', JSON.stringify({ ...good, colour: 'blue' }), 400, 'structure', 'Observation.colour'],
    ['a wrong type', JSON.stringify({ ...good, status: 7 }), 400, 'structure', 'Observation.status'],
    ['a code outside the required binding', JSON.stringify({ ...good, status: 'done' }), 400, 'code-invalid', 'Observation.status'],
    ['a broken reference', JSON.stringify({ ...good, subject: { reference: 'Patient/999999999' } }), 422, 'not-found', 'Observation.subject'],
    ['an impossible value', JSON.stringify({ ...good, valueQuantity: { value: 900, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' } }), 422, null, 'Observation.valueQuantity'],
    ['a modifier extension', JSON.stringify({ ...good, modifierExtension: [{ url: 'http://example.org/x', valueBoolean: true }] }), 422, 'not-supported'],
    ['too large', JSON.stringify({ ...good, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">' + 'x'.repeat(MAX_UPLOAD) + '</div>' } }), 413, 'too-costly'],
  ];
  for (const [what, body, status, code, path] of cases) {
    const r = await raw('/fhir/Observation', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body });
    assert.equal(r.status, status, what);
    assert.equal(r.body.resourceType, 'OperationOutcome', what);
    if (code) assert.equal(r.body.issue[0].code, code, what);
    if (path) assert.ok(r.body.issue.some((i) => (i.expression || []).some((e) => e.startsWith(path))), `${what}: ${JSON.stringify(r.body.issue)}`);
  }
  const more = [
    ['/fhir/Observation', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<Observation/>' }, 415],
    ['/fhir/Observation?date=yesterday', {}, 400],
    ['/fhir/Observation?_count=5000', {}, 400],
    ['/fhir/Observation?colour=blue', {}, 400],
    ['/fhir/Observation?_format=xml', {}, 406],
    ['/fhir/Observation/abc', {}, 404],
    ['/fhir/Observation/999999999', {}, 404],
    ['/fhir/Nonsense/1', {}, 404],
    ['/fhir/Observation?_cursor=junk', {}, 400],
  ];
  for (const [path, opts, status] of more) {
    const r = await raw(path, opts);
    assert.equal(r.status, status, path);
    assert.equal(r.body.resourceType, 'OperationOutcome', path);
  }
  assert.equal(snapshot(server), before, 'nothing changed');
});

test('patients: registered, found, and updated only from the version read', async () => {
  const adminToken = await makeToken('admin', 'user/Patient.cru');
  const receptionToken = await makeToken('reception', 'user/Patient.rs');
  // The official example, registered by an administrator.
  const sent = JSON.parse(readFileSync(new URL('Patient-example.json', EXAMPLES), 'utf8'));
  sent.identifier.push({ system: 'https://cocare.org/fhir/identifier/mrn', value: 'MRN-FHIR-1' });
  const made = await fhir(adminToken).create({ resourceType: 'Patient', body: sent });
  assert.equal(made.meta.versionId, '1');
  // Read back by reception, who may read profiles; compared field by
  // field, leaving out what docs/fhir.md says is not kept.
  const back = await fhir(receptionToken).read({ resourceType: 'Patient', id: made.id });
  assert.equal(back.name[0].family, 'Chalmers');
  assert.deepEqual(back.name[0].given, ['Peter James']);
  assert.equal(back.gender, sent.gender);
  assert.equal(back.birthDate, sent.birthDate);
  assert.deepEqual(back.identifier, [{ system: 'https://cocare.org/fhir/identifier/mrn', value: 'MRN-FHIR-1' }]);
  for (const dropped of ['telecom', 'address', 'contact', 'deceasedBoolean', 'active', 'text'])
    assert.equal(back[dropped], undefined, dropped);

  // Search: by identifier, by name (any word, accents and case aside), paging.
  let b = await fhir(receptionToken).search({ resourceType: 'Patient', searchParams: { identifier: 'https://cocare.org/fhir/identifier/mrn|MRN-FHIR-1' } });
  assert.deepEqual(b.entry.map((e) => e.resource.id), [made.id]);
  b = await fhir(receptionToken).search({ resourceType: 'Patient', searchParams: { name: 'JAMES', birthdate: 'ge1974-12-25' } });
  assert.ok(b.entry.some((e) => e.resource.id === made.id));
  const all = new Set();
  let pages = 0;
  b = await fhir(receptionToken).search({ resourceType: 'Patient', searchParams: { _count: 2 } });
  while (b) {
    pages++;
    for (const e of b.entry || []) { assert.ok(!all.has(e.resource.id)); all.add(e.resource.id); }
    b = await fhir(receptionToken).nextPage({ bundle: b });
  }
  const count = await fhir(receptionToken).search({ resourceType: 'Patient', searchParams: { _summary: 'count' } });
  assert.equal(count.total, all.size);
  assert.ok(pages >= 2);
  // A patient finds only themself.
  b = await fhir(patientToken).search({ resourceType: 'Patient', searchParams: {} });
  assert.deepEqual(b.entry.map((e) => e.resource.id), [maria]);

  // Update, by María's doctor: with the version read; a stale one is 412
  // and changes nothing.
  const doctorWrites = await makeToken('doctor', 'user/Patient.rus');
  const v1 = await fhir(adminToken).read({ resourceType: 'Patient', id: made.id }).catch((e) => e);
  assert.equal(v1.response?.status, 403, 'administrators do not read records');
  const mine = await fhir(doctorWrites).read({ resourceType: 'Patient', id: maria });
  const ver = Number(mine.meta.versionId);
  const edit = { ...mine, birthDate: '1961-02-03' };
  const v2 = await fhir(doctorWrites).update({ resourceType: 'Patient', id: maria, body: edit, options: { headers: { 'If-Match': `W/"${ver}"` } } });
  assert.equal(v2.meta.versionId, String(ver + 1));
  assert.equal(v2.birthDate, '1961-02-03');
  assert.deepEqual(v2.name, mine.name);
  assert.deepEqual(v2.identifier, mine.identifier);
  const now = `W/"${ver + 1}"`;
  const put = (token, body, match) => fhir(token).update({ resourceType: 'Patient', id: maria, body, options: match ? { headers: { 'If-Match': match } } : {} });
  const before = snapshot(server);
  let r = await refused(put(doctorWrites, { ...edit, birthDate: '1970-01-01' }, `W/"${ver}"`));
  assert.equal(r.status, 412);
  assert.equal(r.outcome.issue[0].code, 'conflict');
  r = await refused(put(doctorWrites, edit));
  assert.equal(r.status, 428);
  r = await refused(put(doctorWrites, { ...edit, gender: 'robot' }, now));
  assert.equal(r.status, 400);
  assert.deepEqual(r.outcome.issue[0].expression, ['Patient.gender']);
  r = await refused(put(doctorWrites, { ...edit, birthDate: '2999-01-01' }, now));
  assert.equal(r.status, 422);
  assert.deepEqual(r.outcome.issue[0].expression, ['Patient.birthDate']);
  r = await refused(put(doctorWrites, { ...edit, identifier: [] }, now));
  assert.equal(r.status, 400);
  r = await refused(put(doctorWrites, { ...edit, id: made.id }, now));
  assert.equal(r.status, 400);
  r = await refused(put(doctorWrites, { ...edit, colour: 'blue' }, now));
  assert.equal(r.status, 400);
  // Reception and administrators may not change a record; a read token cannot write.
  r = await refused(put(await makeToken('reception', 'user/Patient.rus'), edit, now));
  assert.equal(r.status, 403);
  r = await refused(put(await makeToken('admin', 'user/Patient.u'), edit, now));
  assert.equal(r.status, 403);
  r = await refused(put(readOnlyToken, edit, now));
  assert.equal(r.status, 403);
  r = await refused(fhir(receptionToken).create({ resourceType: 'Patient', body: sent }));
  assert.equal(r.status, 403);
  // Tokens were made above: compare from here.
  const after = snapshot(server);
  r = await refused(put(doctorWrites, { ...edit, birthDate: '1970-01-01' }, `W/"${ver}"`));
  assert.equal(r.status, 412);
  assert.equal(snapshot(server), after, 'nothing changed');
  assert.ok(before);
  // The ETag of a read is the version to send.
  const res = await raw(`/fhir/Patient/${maria}`, { token: receptionToken });
  assert.equal(res.headers.get('etag'), now);
});

function weight(kg, when, subject = maria) {
  return {
    resourceType: 'Observation', status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    subject: { reference: `Patient/${subject}` },
    effectiveDateTime: when,
    valueQuantity: { value: kg, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  };
}

test('transactions are all or nothing; batches answer each entry', async () => {
  const client = fhir(patientToken);
  const readingsOf = (day) => query(server, `SELECT count(*) AS n FROM reading WHERE patient_id = ${maria} AND at_ms >= ${Date.parse(day)} AND at_ms < ${Date.parse(day) + 86400000}`)[0].n;
  // Three readings of a home scale in one transaction, and a search after them.
  const tx = await client.transaction({
    body: {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        ...[70.1, 70.2, 70.3].map((kg, i) => ({
          fullUrl: `urn:uuid:8f1e5a52-0000-4000-8000-00000000000${i}`,
          resource: weight(kg, `2018-03-0${i + 1}T07:00:00Z`),
          request: { method: 'POST', url: 'Observation' },
        })),
        { request: { method: 'GET', url: `Observation?patient=Patient/${maria}&date=ge2018-03-01&date=lt2018-03-04&_sort=date` } },
      ],
    },
  });
  assert.equal(tx.type, 'transaction-response');
  assert.deepEqual(tx.entry.map((e) => e.response.status), ['201 Created', '201 Created', '201 Created', '200 OK']);
  assert.match(tx.entry[0].response.location, /^Observation\/\d+\/_history\/1$/);
  assert.deepEqual(tx.entry[3].resource.entry.map((e) => e.resource.valueQuantity.value), [70.1, 70.2, 70.3]);
  // One bad entry: nothing of it is stored, and the issue names the entry.
  const before = snapshot(server);
  const r = await refused(client.transaction({
    body: {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: weight(71, '2018-04-01T07:00:00Z'), request: { method: 'POST', url: 'Observation' } },
        { resource: weight(7100, '2018-04-02T07:00:00Z'), request: { method: 'POST', url: 'Observation' } },
      ],
    },
  }));
  assert.equal(r.status, 422);
  assert.equal(r.outcome.resourceType, 'OperationOutcome');
  assert.ok(r.outcome.issue.some((i) => (i.expression || [])[0]?.startsWith('Bundle.entry[1].resource')), JSON.stringify(r.outcome));
  assert.equal(readingsOf('2018-04-01'), 0);
  // A stale version in a transaction: 412, nothing changes.
  const me = await fhir(patientToken).read({ resourceType: 'Patient', id: maria });
  const stale = await refused(client.transaction({
    body: {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: weight(72, '2018-04-03T07:00:00Z'), request: { method: 'POST', url: 'Observation' } },
        { resource: me, request: { method: 'PUT', url: `Patient/${maria}`, ifMatch: `W/"${Number(me.meta.versionId) + 5}"` } },
      ],
    },
  }));
  assert.equal(stale.status, 403, 'the patient token may not update: refused before the version');
  // Malformed bundles.
  for (const [body, status] of [
    [{ resourceType: 'Bundle', type: 'collection', entry: [] }, 400],
    [{ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: weight(70, '2018-05-01T07:00:00Z') }] }, 400],
    [{ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: weight(70, '2018-05-01T07:00:00Z'), request: { method: 'DELETE', url: 'Observation/1' } }] }, 405],
    [{ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: weight(70, '2018-05-01T07:00:00Z'), request: { method: 'POST', url: 'Patient' } }] }, 400],
    [{ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: weight(70, '2018-05-01T07:00:00Z'), request: { method: 'POST', url: 'Nonsense' } }] }, 404],
    [{ resourceType: 'Bundle', type: 'transaction', colour: 'blue', entry: [] }, 400],
    [{ resourceType: 'Bundle', type: 'transaction', entry: Array.from({ length: 1001 }, () => ({ request: { method: 'GET', url: 'Patient/1' } })) }, 413],
  ]) {
    const x = await raw('/fhir', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
    assert.equal(x.status, status, JSON.stringify(body).slice(0, 120));
    assert.equal(x.body.resourceType, 'OperationOutcome');
  }
  assert.equal(snapshot(server), before, 'nothing changed');

  // A batch: each entry on its own.
  const batch = await client.batch({
    body: {
      resourceType: 'Bundle', type: 'batch',
      entry: [
        { resource: weight(73, '2018-06-01T07:00:00Z'), request: { method: 'POST', url: 'Observation' } },
        { resource: weight(7300, '2018-06-02T07:00:00Z'), request: { method: 'POST', url: 'Observation' } },
        { request: { method: 'GET', url: `Patient/${other}` } },
        { request: { method: 'GET', url: `Patient/${maria}` } },
      ],
    },
  });
  assert.equal(batch.type, 'batch-response');
  assert.deepEqual(batch.entry.map((e) => e.response.status), ['201 Created', '422', '403', '200 OK']);
  assert.equal(batch.entry[1].response.outcome.resourceType, 'OperationOutcome');
  assert.equal(readingsOf('2018-06-01'), 1);
  assert.equal(readingsOf('2018-06-02'), 0);

  // Conditional create: the second finds the first.
  const cond = `patient=Patient/${maria}&code=29463-7&date=eq2018-07-01T07:00:00Z`;
  const first = await raw('/fhir/Observation', { method: 'POST', headers: { 'content-type': 'application/fhir+json', 'if-none-exist': cond }, body: JSON.stringify(weight(74, '2018-07-01T07:00:00Z')) });
  assert.equal(first.status, 201);
  const second = await raw('/fhir/Observation', { method: 'POST', headers: { 'content-type': 'application/fhir+json', 'if-none-exist': cond }, body: JSON.stringify(weight(75, '2018-07-01T07:00:00Z')) });
  assert.equal(second.status, 200);
  assert.equal(second.body.id, first.body.id);
  assert.equal(second.body.valueQuantity.value, 74);
  const inTx = await client.transaction({ body: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: weight(75, '2018-07-01T07:00:00Z'), request: { method: 'POST', url: 'Observation', ifNoneExist: cond } }] } });
  assert.equal(inTx.entry[0].response.status, '200 OK');
  assert.equal(readingsOf('2018-07-01'), 1);
  const many = await raw('/fhir/Observation', { method: 'POST', headers: { 'content-type': 'application/fhir+json', 'if-none-exist': `patient=Patient/${maria}&code=29463-7` }, body: JSON.stringify(weight(76, '2018-07-02T07:00:00Z')) });
  assert.equal(many.status, 412);
});

// Waits for an export's manifest (200), following Content-Location.
async function exportDone(token, location) {
  const path = new URL(location).pathname;
  for (let i = 0; i < 200; i++) {
    const r = await raw(path, { token });
    if (r.status === 200) return r.body;
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.match(r.headers.get('x-progress'), /^\d+ of \d+ patients$/);
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail('the export did not finish');
}

async function lines(token, output, type) {
  const out = [];
  for (const o of output.filter((x) => x.type === type)) {
    const res = await fetch(o.url, { headers: { authorization: 'Bearer ' + token } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/fhir\+ndjson/);
    const text = await res.text();
    const got = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(got.length, o.count);
    out.push(...got);
  }
  return out;
}

test('bulk export: in the background, only what the person may read, by type and since', async () => {
  const doctorId = query(server, `SELECT CAST(id AS TEXT) AS id FROM account WHERE username = 'doctor'`)[0].id;
  const mine = query(server, `SELECT CAST(patient_id AS TEXT) AS id FROM care_team_member WHERE account_id = ${doctorId} ORDER BY 1`).map((r) => r.id);
  assert.ok(mine.length > 0);
  const kick = (path, token = doctorToken, prefer = 'respond-async') => raw(path, { token, headers: prefer ? { prefer } : {} });
  // Asked for without respond-async, or with a type or time it cannot give.
  const before = snapshot(server);
  for (const [path, prefer, status] of [
    ['/fhir/$export', null, 400],
    ['/fhir/$export?_type=Medication', 'respond-async', 400],
    ['/fhir/$export?_since=yesterday', 'respond-async', 400],
    ['/fhir/$export?_outputFormat=text/csv', 'respond-async', 400],
    ['/fhir/$export?colour=blue', 'respond-async', 400],
    ['/fhir/Group/999999999/$export', 'respond-async', 404],
  ]) {
    const r = await kick(path, doctorToken, prefer);
    assert.equal(r.status, status, path);
    assert.equal(r.body.resourceType, 'OperationOutcome', path);
  }
  assert.equal((await kick('/fhir/$export', null)).status, 401);
  assert.equal(snapshot(server), before, 'nothing asked for');

  const started = await kick('/fhir/$export');
  assert.equal(started.status, 202);
  const location = started.headers.get('content-location');
  assert.match(location, /\/fhir\/\$export-status\/\d+$/);
  // The server goes on answering while the export is made.
  assert.equal((await fetch(server.url + '/healthz')).status, 200);
  const manifest = await exportDone(doctorToken, location);
  assert.equal(manifest.requiresAccessToken, true);
  const patients = await lines(doctorToken, manifest.output, 'Patient');
  assert.deepEqual(patients.map((p) => p.id).sort(), [...mine].sort(), 'the patients the doctor cares for, no other');
  const obs = await lines(doctorToken, manifest.output, 'Observation');
  const expected = query(server, `SELECT count(*) AS n FROM reading WHERE patient_id IN (${mine.join(',')})`)[0].n;
  assert.equal(obs.length, expected);
  assert.ok(obs.every((o) => o.resourceType === 'Observation' && mine.includes(o.subject.reference.slice(8))));
  // Someone else can see neither the status nor the files.
  assert.equal((await raw(new URL(location).pathname, { token: patientToken })).status, 404);
  assert.equal((await raw(new URL(manifest.output[0].url).pathname, { token: patientToken })).status, 404);
  // Exports are audited.
  assert.ok(query(server, `SELECT count(*) AS n FROM audit_event WHERE action = 'export' AND resource_type = 'Patient' AND actor_id = ${doctorId}`)[0].n >= mine.length);

  // A patient's own export; only one type; only what changed since.
  let m = await exportDone(patientToken, (await kick('/fhir/Patient/$export?_type=Observation', patientToken)).headers.get('content-location'));
  assert.deepEqual([...new Set(m.output.map((o) => o.type))], ['Observation']);
  const own = await lines(patientToken, m.output, 'Observation');
  assert.ok(own.length > 0 && own.every((o) => o.subject.reference === `Patient/${maria}`));
  const since = new Date(Date.now() + 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  await new Promise((res) => setTimeout(res, 1100));
  await fhir(patientToken).create({ resourceType: 'Observation', body: weight(77, '2018-08-01T07:00:00Z') });
  m = await exportDone(patientToken, (await kick(`/fhir/$export?_since=${since}`, patientToken)).headers.get('content-location'));
  const fresh = await lines(patientToken, m.output, 'Observation');
  assert.deepEqual(fresh.map((o) => o.effectiveDateTime), ['2018-08-01T07:00:00.000Z']);

  // A unit (Group), and cancelling.
  const unit = query(server, `SELECT CAST(unit_id AS TEXT) AS id FROM patient WHERE id = ${maria}`)[0].id;
  m = await exportDone(doctorToken, (await kick(`/fhir/Group/${unit}/$export?_type=Patient`)).headers.get('content-location'));
  const inUnit = query(server, `SELECT CAST(id AS TEXT) AS id FROM patient WHERE unit_id = ${unit}`).map((r) => r.id);
  assert.ok((await lines(doctorToken, m.output, 'Patient')).every((p) => inUnit.includes(p.id) && mine.includes(p.id)));
  const del = await raw(new URL(location).pathname, { token: doctorToken, method: 'DELETE' });
  assert.equal(del.status, 202);
  assert.equal((await raw(new URL(location).pathname, { token: doctorToken })).status, 404);
});

test('a Provenance in a transaction says in whose name a reading is written', async () => {
  const doctor = query(server, "SELECT CAST(id AS TEXT) AS id FROM account WHERE username = 'doctor'")[0].id;
  const writer = await makeToken('doctor', 'user/Observation.crs user/Provenance.rs');
  const tx = (who, obo, when) => fhir(writer).transaction({
    body: {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:3f2c0a4e-1111-4111-8111-000000000001', resource: weight(68, when), request: { method: 'POST', url: 'Observation' } },
        {
          resource: {
            resourceType: 'Provenance', target: [{ reference: 'urn:uuid:3f2c0a4e-1111-4111-8111-000000000001' }], recorded: when,
            agent: [{ who: { reference: who }, ...(obo ? { onBehalfOf: { reference: obo } } : {}) }],
          },
          request: { method: 'POST', url: 'Provenance' },
        },
      ],
    },
  });
  const voiceOf = (when) => query(server, `SELECT p.voice FROM provenance p JOIN reading r ON CAST(r.id AS TEXT) = p.resource_id WHERE p.resource_type = 'Observation' AND r.at_ms = ${Date.parse(when)}`).map((r) => r.voice);
  // The doctor types what María measured, on her behalf: her voice.
  const ok = await tx(`Practitioner/${doctor}`, `Patient/${maria}`, '2018-09-01T07:00:00Z');
  assert.deepEqual(ok.entry.map((e) => e.response.status), ['201 Created', '201 Created']);
  assert.equal(ok.entry[1].resource.resourceType, 'Provenance');
  assert.equal(ok.entry[1].resource.target[0].reference, ok.entry[0].response.location.replace(/\/_history\/\d+$/, ''));
  assert.deepEqual(voiceOf('2018-09-01T07:00:00Z'), ['patient']);
  // Without it, the doctor's own voice.
  await fhir(writer).create({ resourceType: 'Observation', body: weight(68, '2018-09-02T07:00:00Z') });
  assert.deepEqual(voiceOf('2018-09-02T07:00:00Z'), ['professional']);
  // Nobody writes in someone else's name; nothing of the transaction is kept.
  const before = snapshot(server);
  const other = query(server, "SELECT CAST(id AS TEXT) AS id FROM account WHERE username = 'nurse'")[0].id;
  for (const [who, obo] of [[`Practitioner/${other}`, null], [`Practitioner/${doctor}`, 'Patient/1']]) {
    const r = await refused(tx(who, obo, '2018-09-03T07:00:00Z'));
    assert.equal(r.status, 422);
    assert.match(r.outcome.issue[0].expression[0], /^Bundle\.entry\[1\]\.resource\.agent/);
  }
  assert.equal(snapshot(server), before, 'nothing changed');
  // Only in a transaction.
  const alone = await raw('/fhir/Provenance', { token: writer, method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Provenance' }) });
  assert.equal(alone.status, 405);
});
