// Versions and history through the FHIR API with a real FHIR client
// library (fhir-kit-client): a patient changed through the API and on
// her record's page, each version read back (vread) as it was, the
// instance history walked page by page; a reading's one version; a
// token that reaches no other patient's history; and bad versions and
// parameters refused with an OperationOutcome that changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeToken as makeTokenFor, fhirClient, refused, fhirRaw } from './fhir_lib.mjs';
import { startServer, Client, query, snapshot, patientId } from './lib.mjs';

let server, maria, other, doctor, mine;
const makeToken = (user, scopes) => makeTokenFor(server, user, scopes);
const fhir = (token) => fhirClient(server, token);

// Every entry of a history, page by page, following the next links
// (fhir-kit-client's history calls send no parameters), as "id/version".
async function walk(token, path) {
  const got = [];
  while (path) {
    const r = await fhirRaw(server, path, { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.type, 'history');
    for (const e of r.body.entry) {
      assert.equal(e.response.etag, `W/"${e.resource.meta.versionId}"`);
      assert.equal(e.request.method, e.resource.meta.versionId === '1' ? 'POST' : 'PUT');
      got.push(`${e.resource.id}/${e.resource.meta.versionId}`);
    }
    const next = r.body.link.find((l) => l.relation === 'next');
    path = next ? new URL(next.url).pathname + new URL(next.url).search : null;
  }
  return got;
}

before(async () => {
  server = await startServer();
  maria = patientId(server);
  other = query(server, `SELECT CAST(id AS TEXT) AS id FROM patient WHERE id != ${maria} ORDER BY id LIMIT 1`)[0].id;
  doctor = await makeToken('doctor', 'user/Patient.rus user/Observation.rs');
  mine = await makeToken('patient', 'patient/Patient.rs patient/Observation.crs');
});
after(async () => { await server?.stop(); });

test('each version of a patient is kept, whether changed through the API or on the page', async () => {
  const v1 = await fhir(doctor).read({ resourceType: 'Patient', id: maria });
  const start = Number(v1.meta.versionId);
  // Through the API.
  const edit = structuredClone(v1);
  edit.name[0].family = 'López Ruiz';
  const v2 = await fhir(doctor).update({ resourceType: 'Patient', id: maria, body: edit, options: { headers: { 'If-Match': `W/"${start}"` } } });
  assert.equal(Number(v2.meta.versionId), start + 1);
  // On the record's page, by María herself.
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf(`/patients/${maria}/edit`);
  const res = await c.post(`/patients/${maria}/edit`, { csrf, version: String(start + 1), given_name: 'María José', family_name: 'López Ruiz', birth_date: v1.birthDate, gender: 'female', preferred_language: 'es' });
  assert.equal(res.status, 303, res.text_.slice(0, 200));

  // Each version as it was.
  const got1 = await fhir(doctor).vread({ resourceType: 'Patient', id: maria, version: String(start) });
  assert.deepEqual(got1.name, v1.name);
  assert.deepEqual(got1.identifier, v1.identifier);
  assert.equal(got1.meta.versionId, String(start));
  const got2 = await fhir(doctor).vread({ resourceType: 'Patient', id: maria, version: String(start + 1) });
  assert.equal(got2.name[0].family, 'López Ruiz');
  assert.deepEqual(got2.name[0].given, v1.name[0].given);
  const got3 = await fhir(mine).vread({ resourceType: 'Patient', id: maria, version: String(start + 2) });
  assert.deepEqual(got3.name[0].given, ['María José']);
  assert.deepEqual(got3, await fhir(mine).read({ resourceType: 'Patient', id: maria }));

  // The history, newest first, one version a page.
  const seen = (await walk(doctor, `/fhir/Patient/${maria}/_history?_count=1`)).map((x) => x.split('/')[1]);
  assert.equal((await fhir(doctor).history({ resourceType: 'Patient', id: maria })).entry[0].fullUrl, `${server.url}/fhir/Patient/${maria}`);
  // Versions before version keeping began are not kept (the demo's).
  const kept = query(server, `SELECT count(*) AS n FROM patient_version WHERE patient_id = ${maria}`)[0].n;
  assert.deepEqual(seen, [start + 2, start + 1, start].slice(0, kept + 1).map(String));
  assert.equal(kept, 2);
});

test('a reading has one version; another patient\'s history is out of reach; bad versions change nothing', async () => {
  const obs = await fhir(mine).create({ resourceType: 'Observation', body: {
    resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    subject: { reference: `Patient/${maria}` }, effectiveDateTime: '2019-03-01T07:00:00Z',
    valueQuantity: { value: 70, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } } });
  assert.deepEqual(await fhir(mine).vread({ resourceType: 'Observation', id: obs.id, version: '1' }), obs);
  const h = await fhir(mine).history({ resourceType: 'Observation', id: obs.id });
  assert.deepEqual(h.entry.map((e) => e.resource.id), [obs.id]);

  const before = snapshot(server);
  for (const [path, status] of [
    [`/fhir/Observation/${obs.id}/_history/2`, 404],
    [`/fhir/Patient/${maria}/_history/999`, 404],
    [`/fhir/Patient/${maria}/_history/0`, 404],
    [`/fhir/Patient/${maria}/_history/abc`, 404],
    [`/fhir/Patient/${maria}/_history?_count=0`, 400],
    [`/fhir/Patient/${maria}/_history?_cursor=x`, 400],
    [`/fhir/Patient/${maria}/_history?_cursor=1.${other}`, 400],
    [`/fhir/Patient/${maria}/_history?colour=blue`, 400],
    [`/fhir/Patient/${other}/_history`, 403],
    [`/fhir/Patient/${other}/_history/1`, 403],
  ]) {
    const r = await fhirRaw(server, path, { token: mine });
    assert.equal(r.status, status, path);
    assert.equal(r.body.resourceType, 'OperationOutcome', path);
  }
  // Types that keep no versions offer none.
  assert.equal((await fhirRaw(server, `/fhir/Goal/1/_history`, { token: doctor })).status, 404);
  const r = await refused(fhir(mine).vread({ resourceType: 'Patient', id: maria, version: '999' }));
  assert.equal(r.status, 404);
  assert.equal(snapshot(server), before);
});

test('the history of every patient: newest first, only those the caller may read, since a time', async () => {
  // The receptionist reads every patient of the organisation.
  const reception = await makeToken('reception', 'user/Patient.rus');
  const t0 = new Date(Date.now() - 1000).toISOString();
  // Two more versions of another patient of the doctor's, after t0.
  const docId = query(server, "SELECT CAST(id AS TEXT) AS id FROM account WHERE username = 'doctor'")[0].id;
  const other = query(server, `SELECT CAST(patient_id AS TEXT) AS id FROM care_team_member WHERE account_id = ${docId} AND patient_id != ${maria} LIMIT 1`)[0].id;
  for (const family of ['Ruiz', 'Ruiz Gil']) {
    const now = await fhir(doctor).read({ resourceType: 'Patient', id: other });
    now.name[0].family = family;
    await fhir(doctor).update({ resourceType: 'Patient', id: other, body: now, options: { headers: { 'If-Match': `W/"${now.meta.versionId}"` } } });
  }
  const seen = await walk(reception, `/fhir/Patient/_history?_since=${encodeURIComponent(t0)}&_count=1`);
  const v = Number((await fhir(reception).read({ resourceType: 'Patient', id: other })).meta.versionId);
  assert.deepEqual(seen.filter((x) => x.startsWith(other + '/')), [`${other}/${v}`, `${other}/${v - 1}`]);
  assert.equal(new Set(seen).size, seen.length);
  // All of them, without _since: every version of every patient.
  const all = await walk(reception, '/fhir/Patient/_history?_count=7');
  const patients = query(server, 'SELECT count(*) AS n FROM patient')[0].n;
  const kept = query(server, 'SELECT count(*) AS n FROM patient_version')[0].n;
  assert.equal(all.length, patients + kept);
  assert.equal(new Set(all).size, all.length);
  // A patient's token: her own versions only.
  const own = await walk(mine, '/fhir/Patient/_history');
  assert.ok(own.length >= 1);
  assert.ok(own.every((x) => x.startsWith(maria + '/')));
  // fhir-kit-client's own call answers too.
  assert.equal((await fhir(mine).typeHistory({ resourceType: 'Patient' })).type, 'history');
  // Bad parameters.
  for (const q of ['_since=yesterday', '_count=0', 'name=x', '_cursor=zz']) {
    const r = await fhirRaw(server, `/fhir/Patient/_history?${q}`, { token: reception });
    assert.equal(r.status, 400, q);
    assert.equal(r.body.resourceType, 'OperationOutcome');
  }
  assert.equal((await fhirRaw(server, '/fhir/Observation/_history', { token: mine })).status, 404);
});
