// Writing the shared care plan through the FHIR API with a real FHIR
// client library (fhir-kit-client): goals proposed by the patient and
// her nurse, changed from the version read (PUT and JSON Patch), taken
// off the plan (DELETE), and seen on the plan page as if typed there;
// official HL7 Goal examples round-tripped; scopes and the access policy
// that stop writes; and bad input refused with an OperationOutcome that
// changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { makeToken as makeTokenFor, fhirClient, refused, fhirRaw } from './fhir_lib.mjs';
import { startServer, Client, query, snapshot, patientId } from './lib.mjs';

const EXAMPLES = new URL('../../../shared/testdata/fhir-r4-examples/', import.meta.url);
const EXT = 'https://cocare.org/fhir/StructureDefinition/';
let server, maria, other, patientToken, nurseToken, readOnlyToken;

const makeToken = (user, scopes) => makeTokenFor(server, user, scopes);
const fhir = (token) => fhirClient(server, token);
const raw = (path, opts = {}) => fhirRaw(server, path, { token: patientToken, ...opts });
const ext = (r, url) => (r.extension || []).find((e) => e.url === EXT + url);
const match = (v) => ({ headers: { 'If-Match': `W/"${v}"` } });

function goal(text, extra = {}) {
  return { resourceType: 'Goal', lifecycleStatus: 'active', description: { text }, subject: { reference: `Patient/${maria}` }, ...extra };
}

// The JSON Patch request fhir-kit-client makes, as plain fetch (its
// patch() sends the right content type, but reading the refusal is
// simpler this way).
function patch(token, id, ops, headers = {}) {
  return fhirRaw(server, `/fhir/Goal/${id}`, {
    method: 'PATCH', token, body: JSON.stringify(ops),
    headers: { 'content-type': 'application/json-patch+json', ...headers },
  });
}

async function planPage(user) {
  const c = new Client(server.url);
  await c.signIn(user);
  const res = await c.request(`/patients/${maria}/plan`);
  assert.equal(res.status, 200);
  return res.text_;
}

before(async () => {
  server = await startServer();
  maria = patientId(server);
  other = query(server, `SELECT CAST(id AS TEXT) AS id FROM patient WHERE id != ${maria} ORDER BY id LIMIT 1`)[0].id;
  patientToken = await makeToken('patient', 'patient/Goal.cruds');
  nurseToken = await makeToken('nurse', 'user/Goal.cruds');
  readOnlyToken = await makeToken('patient', 'patient/Goal.rs');
});
after(async () => { await server?.stop(); });

test('the CapabilityStatement lists Goal writes, PATCH and DELETE', async () => {
  const cs = await fhir(undefined).capabilityStatement();
  const g = cs.rest[0].resource.find((r) => r.type === 'Goal');
  assert.deepEqual(g.interaction.map((i) => i.code), ['read', 'search-type', 'create', 'update', 'patch', 'delete']);
  const p = cs.rest[0].resource.find((r) => r.type === 'Patient');
  assert.ok(p.interaction.some((i) => i.code === 'patch'));
  assert.ok(!p.interaction.some((i) => i.code === 'delete'), 'a patient is never deleted');
});

test('a patient proposes a goal; her nurse agrees by editing it; both see it on the plan page', async () => {
  const made = await fhir(patientToken).create({ resourceType: 'Goal', body: goal('Walk to the shop and back without stopping', {
    target: [{ measure: { text: 'Minutes walked without a rest' }, dueDate: '2027-03-01' }],
    extension: [{ url: EXT + 'clinical-wording', valueString: 'Exercise tolerance: 20 minutes' }],
  }) });
  assert.equal(made.resourceType, 'Goal');
  assert.equal(made.meta.versionId, '1');
  assert.equal(ext(made, 'voice').valueCode, 'patient');
  assert.equal(made.target[0].measure.text, 'Minutes walked without a rest');
  assert.equal(made.target[0].dueDate, '2027-03-01');
  assert.equal(ext(made, 'clinical-wording').valueString, 'Exercise tolerance: 20 minutes');
  // Stored as the page stores it: a goal of her plan, in her voice.
  const row = query(server, `SELECT CAST(patient_id AS TEXT) AS patient_id, kind, text, removed FROM care_item WHERE id = ${made.id}`)[0];
  assert.deepEqual([String(row.patient_id), row.kind, row.text, row.removed], [maria, 'goal', 'Walk to the shop and back without stopping', 0]);
  assert.ok(query(server, `SELECT count(*) AS n FROM provenance WHERE resource_type = 'Goal' AND resource_id = '${made.id}'`)[0].n >= 1);
  assert.match(await planPage('nurse'), /Walk to the shop and back without stopping/);

  // The nurse changes the words, from the version she read.
  const read = await fhir(nurseToken).read({ resourceType: 'Goal', id: made.id });
  read.description.text = 'Walk to the shop and back';
  const v2 = await fhir(nurseToken).update({ resourceType: 'Goal', id: made.id, body: read, options: match(read.meta.versionId) });
  assert.equal(v2.description.text, 'Walk to the shop and back');
  assert.equal(Number(v2.meta.versionId), Number(read.meta.versionId) + 1);
  assert.match(await planPage('patient'), /Walk to the shop and back/);

  // Achieved: a status change, as the page's.
  v2.lifecycleStatus = 'completed';
  const v3 = await fhir(patientToken).update({ resourceType: 'Goal', id: made.id, body: v2, options: match(v2.meta.versionId) });
  assert.equal(v3.lifecycleStatus, 'completed');
  assert.equal(v3.achievementStatus.coding[0].code, 'achieved');
  assert.equal(query(server, `SELECT status FROM care_item WHERE id = ${made.id}`)[0].status, 'achieved');

  // A stale version, or none, changes nothing.
  const before = snapshot(server);
  let r = await refused(fhir(nurseToken).update({ resourceType: 'Goal', id: made.id, body: read, options: match(read.meta.versionId) }));
  assert.equal(r.status, 412);
  assert.equal(r.outcome.resourceType, 'OperationOutcome');
  r = await refused(fhir(nurseToken).update({ resourceType: 'Goal', id: made.id, body: v3 }));
  assert.equal(r.status, 428);
  assert.equal(snapshot(server), before);
});

test('JSON Patch changes a goal through the same checks; a failed test or a bad patch changes nothing', async () => {
  const made = await fhir(patientToken).create({ resourceType: 'Goal', body: goal('Sleep through the night') });
  let r = await patch(patientToken, made.id, [
    { op: 'test', path: '/description/text', value: 'Sleep through the night' },
    { op: 'replace', path: '/description/text', value: 'Sleep six hours' },
    { op: 'add', path: '/target', value: [{ dueDate: '2027-01-31' }] },
  ]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.description.text, 'Sleep six hours');
  assert.equal(r.body.target[0].dueDate, '2027-01-31');
  assert.equal(r.headers.get('etag'), `W/"${r.body.meta.versionId}"`);
  const version = r.body.meta.versionId;

  // fhir-kit-client's own patch call works the same way.
  const viaClient = await fhir(patientToken).patch({ resourceType: 'Goal', id: made.id, jsonPatch: [{ op: 'remove', path: '/target' }] });
  assert.equal(viaClient.target, undefined);

  const before = snapshot(server);
  for (const [ops, status, code] of [
    [[{ op: 'test', path: '/description/text', value: 'Something else' }, { op: 'remove', path: '/description' }], 422, 'processing'],
    [[{ op: 'remove', path: '/nothing/here' }], 400, 'invalid'],
    [[{ op: 'jump', path: '/id' }], 400, 'invalid'],
    [[{ path: '/id' }], 400, 'invalid'],
    [{ op: 'remove', path: '/id' }, 400, 'structure'],
    // Patched into something the plan does not take: the update's checks.
    [[{ op: 'replace', path: '/lifecycleStatus', value: 'paused' }], 400, 'code-invalid'],
    [[{ op: 'add', path: '/colour', value: 'red' }], 400, null],
    [[{ op: 'replace', path: '/description/text', value: 'x'.repeat(301) }], 422, 'business-rule'],
  ]) {
    r = await patch(patientToken, made.id, ops);
    assert.equal(r.status, status, JSON.stringify(ops));
    assert.equal(r.body.resourceType, 'OperationOutcome');
    if (code) assert.equal(r.body.issue[0].code, code, JSON.stringify(ops));
  }
  r = await patch(patientToken, made.id, [{ op: 'replace', path: '/description/text', value: 'Sleep' }], { 'If-Match': 'W/"1"' });
  assert.equal(r.status, 412);
  r = await fhirRaw(server, `/fhir/Goal/${made.id}`, { method: 'PATCH', token: patientToken, body: '[]', headers: { 'content-type': 'application/fhir+json' } });
  assert.equal(r.status, 415);
  assert.equal(r.body.resourceType, 'OperationOutcome');
  assert.equal(snapshot(server), before);
  assert.equal((await fhir(patientToken).read({ resourceType: 'Goal', id: made.id })).meta.versionId, String(Number(version) + 1));
});

test('JSON Patch changes a patient as PUT would', async () => {
  const doctor = await makeToken('doctor', 'user/Patient.ru');
  const me = await fhir(doctor).read({ resourceType: 'Patient', id: maria });
  const got = await fhir(doctor).patch({ resourceType: 'Patient', id: maria, jsonPatch: [
    { op: 'test', path: '/name/0/family', value: me.name[0].family },
    { op: 'replace', path: '/name/0/family', value: 'López Ruiz' },
  ], options: match(me.meta.versionId) });
  assert.equal(Number(got.meta.versionId), Number(me.meta.versionId) + 1);
  assert.equal(got.name[0].family, 'López Ruiz');
  assert.equal(query(server, `SELECT family_name FROM patient WHERE id = ${maria}`)[0].family_name, 'López Ruiz');
  // Against an old version: refused, nothing changed.
  const before = snapshot(server);
  const r = await fhirRaw(server, `/fhir/Patient/${maria}`, { method: 'PATCH', token: doctor, body: JSON.stringify([{ op: 'remove', path: '/gender' }]), headers: { 'content-type': 'application/json-patch+json', 'If-Match': `W/"${me.meta.versionId}"` } });
  assert.equal(r.status, 412);
  assert.equal(snapshot(server), before);
});

test('DELETE takes a goal off the plan; it is gone, and a goal with actions stays', async () => {
  const made = await fhir(nurseToken).create({ resourceType: 'Goal', body: goal('Cook one meal a week') });
  assert.equal(ext(made, 'voice').valueCode, 'professional');
  let r = await raw(`/fhir/Goal/${made.id}`, { method: 'DELETE', token: nurseToken, headers: { 'If-Match': 'W/"9"' } });
  assert.equal(r.status, 412);
  r = await raw(`/fhir/Goal/${made.id}`, { method: 'DELETE', token: nurseToken });
  assert.equal(r.status, 204);
  assert.equal(query(server, `SELECT removed FROM care_item WHERE id = ${made.id}`)[0].removed, 1);
  r = await refused(fhir(patientToken).read({ resourceType: 'Goal', id: made.id }));
  assert.equal(r.status, 410);
  assert.equal(r.outcome.issue[0].code, 'deleted');
  assert.doesNotMatch(await planPage('patient'), /Cook one meal a week/);
  // Again: nothing more to do.
  const before = snapshot(server);
  r = await raw(`/fhir/Goal/${made.id}`, { method: 'DELETE', token: nurseToken });
  assert.equal(r.status, 204);
  // A goal with actions under it is not taken away from them.
  const withActions = query(server, `SELECT CAST(goal_id AS TEXT) AS id FROM care_item WHERE patient_id = ${maria} AND kind = 'action' AND removed = 0 LIMIT 1`)[0].id;
  r = await raw(`/fhir/Goal/${withActions}`, { method: 'DELETE', token: nurseToken });
  assert.equal(r.status, 409);
  assert.equal(r.body.resourceType, 'OperationOutcome');
  // Patients are not deleted, Observations neither.
  assert.equal((await raw(`/fhir/Patient/${maria}`, { method: 'DELETE', token: nurseToken })).status, 405);
  assert.equal(snapshot(server), before);
});

test('official HL7 Goal examples round-trip, keeping what cocare documents', async () => {
  const read = (name) => {
    const r = JSON.parse(readFileSync(new URL(name, EXAMPLES), 'utf8'));
    r.subject = { reference: `Patient/${maria}` };
    r.expressedBy = { reference: `Patient/${maria}` };
    return r;
  };
  // "On hold" is not a state of a goal on the shared care plan.
  const example = read('Goal-example.json');
  const before = snapshot(server);
  const r = await refused(fhir(nurseToken).create({ resourceType: 'Goal', body: example }));
  assert.equal(r.status, 422);
  assert.equal(r.outcome.issue[0].expression[0], 'Goal.lifecycleStatus');
  assert.equal(snapshot(server), before);
  example.lifecycleStatus = 'active';
  for (const sent of [example, read('Goal-stop-smoking.json')]) {
    const made = await fhir(nurseToken).create({ resourceType: 'Goal', body: sent });
    const got = await fhir(nurseToken).read({ resourceType: 'Goal', id: made.id });
    // Kept, field by field.
    assert.equal(got.lifecycleStatus, sent.lifecycleStatus);
    assert.equal(got.description.text, sent.description.text);
    assert.equal(got.subject.reference, `Patient/${maria}`);
    if (sent.target) {
      assert.equal(got.target.length, 1);
      assert.equal(got.target[0].measure.text, sent.target[0].measure.coding[0].display);
      assert.equal(got.target[0].dueDate, sent.target[0].dueDate);
    } else {
      assert.equal(got.target, undefined);
    }
    if (sent.achievementStatus) assert.equal(got.achievementStatus.coding[0].code, sent.achievementStatus.coding[0].code);
    // Dropped, as docs/fhir.md says: the server's id and who wrote it.
    for (const k of ['identifier', 'category', 'priority', 'startDate', 'statusDate', 'statusReason', 'addresses', 'outcomeReference', 'outcomeCode', 'text'])
      assert.equal(got[k], undefined, k);
    assert.notEqual(got.id, sent.id);
  }
});

test('scopes and the access policy stop writes; bad Goals are refused and change nothing', async () => {
  const before = snapshot(server);
  let r = await refused(fhir(readOnlyToken).create({ resourceType: 'Goal', body: goal('Read only') }));
  assert.equal(r.status, 403);
  // Her token does not reach another patient's plan.
  r = await refused(fhir(patientToken).create({ resourceType: 'Goal', body: goal('Not mine', { subject: { reference: `Patient/${other}` } }) }));
  assert.equal(r.status, 403);
  const theirs = query(server, `SELECT CAST(id AS TEXT) AS id FROM care_item WHERE patient_id = ${other} AND kind = 'goal' AND removed = 0 LIMIT 1`)[0]?.id;
  if (theirs) {
    r = await raw(`/fhir/Goal/${theirs}`, { method: 'DELETE', token: patientToken });
    assert.equal(r.status, 403);
  }
  for (const [body, status, path] of [
    [goal('x', { colour: 'red' }), 400, 'Goal.colour'],
    [goal('x', { lifecycleStatus: 'paused' }), 400, 'Goal.lifecycleStatus'],
    [goal('x', { lifecycleStatus: 'on-hold' }), 422, 'Goal.lifecycleStatus'],
    [{ ...goal('x'), description: undefined }, 400, 'Goal.description'],
    [goal('x', { description: { coding: [{ system: 'http://snomed.info/sct', code: '1' }] } }), 422, 'Goal.description'],
    [goal('x', { subject: { reference: 'Patient/999999999' } }), 422, 'Goal.subject'],
    [goal('x', { subject: { reference: 'Group/1' } }), 422, 'Goal.subject'],
    [goal('x', { target: [{ dueDate: '2027-01-01' }, { dueDate: '2028-01-01' }] }), 422, 'Goal.target[1]'],
    [goal('x', { target: [{ dueDuration: { value: 3, code: 'mo' } }] }), 422, 'Goal.target[0].dueDuration'],
    [goal('x', { target: [{ dueDate: '2027-02-30' }] }), 422, 'Goal.target[0].dueDate'],
    [goal('x', { modifierExtension: [{ url: 'https://example.org/x', valueBoolean: true }] }), 422, null],
    [goal('x'.repeat(301)), 422, 'Goal.description'],
  ]) {
    r = await refused(fhir(patientToken).create({ resourceType: 'Goal', body: JSON.parse(JSON.stringify(body)) }));
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.outcome.resourceType, 'OperationOutcome');
    if (path) assert.equal(r.outcome.issue[0].expression[0], path, JSON.stringify(body));
  }
  assert.equal(snapshot(server), before);
});
