// Research consent and pseudonymised bulk export: a patient agrees on
// her own page, a doctor records one patient's agreement and another's
// withdrawal; a researcher's token with the research scope exports only
// the patients who agree now, with keyed-hash ids and references, dates
// moved by the same days per patient and no names, numbers or free
// text; the same token reaches no record by name; others cannot make a
// research export; and bad input changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeToken as makeTokenFor, fhirRaw } from './fhir_lib.mjs';
import { startServer, Client, query, snapshot, patientId } from './lib.mjs';

let server, maria, doctorsPatients, researchToken;
const makeToken = (user, scopes) => makeTokenFor(server, user, scopes);
const raw = (path, token, opts = {}) => fhirRaw(server, path, { token, ...opts });

async function answer(user, pid, given) {
  const c = new Client(server.url);
  await c.signIn(user);
  const csrf = await c.csrf(`/patients/${pid}/grants`);
  const res = await c.post(`/patients/${pid}/research`, { csrf, given });
  assert.equal(res.status, 303, res.text_.slice(0, 300));
  return (await c.request(`/patients/${pid}/grants`)).text_;
}

async function exportAll(token, path = '/fhir/$export') {
  const started = await raw(path, token, { headers: { prefer: 'respond-async' } });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const status = new URL(started.headers.get('content-location')).pathname;
  for (let i = 0; i < 200; i++) {
    const r = await raw(status, token);
    if (r.status === 200) {
      const files = {};
      for (const o of r.body.output) {
        const res = await fetch(o.url, { headers: { authorization: 'Bearer ' + token } });
        assert.equal(res.status, 200);
        const text = await res.text();
        (files[o.type] ||= []).push(...text.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
        (files[o.type + '.text'] ||= []).push(text);
      }
      return { manifest: r.body, files };
    }
    assert.equal(r.status, 202);
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail('the export did not finish');
}

before(async () => {
  server = await startServer();
  maria = patientId(server);
  const doctor = query(server, "SELECT CAST(id AS TEXT) AS id FROM account WHERE username = 'doctor'")[0].id;
  doctorsPatients = query(server, `SELECT CAST(patient_id AS TEXT) AS id FROM care_team_member WHERE account_id = ${doctor} AND patient_id != ${maria} ORDER BY 1`).map((r) => r.id);
  assert.ok(doctorsPatients.length >= 2);
  researchToken = await makeToken('researcher', 'user/*.rs research');
});
after(async () => { await server?.stop(); });

test('consent is given and withdrawn on the page, every answer kept', async () => {
  let page = await answer('patient', maria, '1');
  assert.match(page, /Research use: agreed/);
  assert.match(page, /Agreed on/);
  // A doctor records two patients' answers from their signed forms.
  const [yes, no] = doctorsPatients;
  await answer('doctor', yes, '1');
  await answer('doctor', no, '1');
  page = await answer('doctor', no, '0');
  assert.match(page, /Research use: not agreed/);
  assert.match(page, /Stopped on/);
  assert.match(page, /Agreed on/, 'the earlier consent is kept');
  const rows = query(server, `SELECT given, voice FROM research_consent WHERE patient_id = ${no} ORDER BY at_ms, id`);
  assert.deepEqual(rows.map((r) => [r.given, r.voice]), [[1, 'professional'], [0, 'professional']]);
  assert.equal(query(server, `SELECT voice FROM research_consent WHERE patient_id = ${maria}`)[0].voice, 'patient');
  // The same answer again adds nothing.
  const before = snapshot(server);
  await answer('patient', maria, '1');
  assert.equal(snapshot(server), before);
  // Audited, as every write.
  assert.ok(query(server, `SELECT count(*) AS n FROM audit_event WHERE resource_type = 'Consent' AND patient_id = ${no} AND action = 'create'`)[0].n >= 2);
});

test('research consents are Consents, after the caregiver grants', async () => {
  const [, no] = doctorsPatients;
  const mine = await makeToken('patient', 'patient/Consent.rs');
  const doctor = await makeToken('doctor', 'user/Consent.rs');
  const SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
  let r = await raw(`/fhir/Consent?scope=${SCOPE}|research`, mine);
  assert.equal(r.status, 200);
  assert.equal(r.body.entry.length, 1);
  const c = r.body.entry[0].resource;
  assert.equal(c.status, 'active');
  assert.equal(c.scope.coding[0].code, 'research');
  assert.equal(c.patient.reference, `Patient/${maria}`);
  assert.equal(c.performer[0].reference, `Patient/${maria}`);
  assert.ok(BigInt(c.id) >= 2n ** 62n);
  assert.equal((await raw(`/fhir/Consent/${c.id}`, mine)).body.id, c.id);
  // Withdrawn: inactive, with when it ended; recorded by the doctor.
  r = await raw(`/fhir/Consent?patient=${no}&scope=research`, doctor);
  assert.equal(r.body.entry.length, 1);
  const w = r.body.entry[0].resource;
  assert.equal(w.status, 'inactive');
  assert.ok(w.provision.period.end >= w.provision.period.start);
  assert.match(w.performer[0].reference, /^Practitioner\//);
  r = await raw(`/fhir/Consent?patient=${no}&scope=research&status=active`, doctor);
  assert.equal((r.body.entry || []).length, 0);
  // Without scope: her caregiver grants, then her research consent,
  // page by page.
  const grants = (await raw('/fhir/Consent?scope=patient-privacy', mine)).body.entry.length;
  const seen = [];
  let path = '/fhir/Consent?_count=1';
  while (path) {
    r = await raw(path, mine);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    seen.push(...(r.body.entry || []).map((e) => e.resource.scope.coding[0].code));
    const next = (r.body.link || []).find((l) => l.relation === 'next');
    path = next ? new URL(next.url).pathname + new URL(next.url).search : null;
  }
  assert.deepEqual(seen, [...Array(grants).fill('patient-privacy'), 'research']);
  assert.equal((await raw('/fhir/Consent?_summary=count', mine)).body.total, grants + 1);
  // Not hers to read: another patient's research consent.
  assert.equal((await raw(`/fhir/Consent/${w.id}`, mine)).status, 403);
});

test('bad answers and strangers change nothing', async () => {
  const before = snapshot(server);
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf(`/patients/${maria}/grants`);
  assert.equal((await c.post(`/patients/${maria}/research`, { csrf, given: '2' })).status, 400);
  assert.equal((await c.post(`/patients/${maria}/research`, { csrf })).status, 400);
  assert.equal((await c.post(`/patients/${maria}/research`, { given: '0' })).status, 403);
  // Another patient's answer is not hers to give.
  assert.equal((await c.post(`/patients/${doctorsPatients[0]}/research`, { csrf, given: '0' })).status, 403);
  assert.equal(snapshot(server), before);
});

test('a research export holds only consenting patients, pseudonymised', async () => {
  const [yes, no] = doctorsPatients;
  const { manifest, files } = await exportAll(researchToken);
  assert.equal(manifest.extension['https://cocare.org/fhir/pseudonymised'], true);
  const patients = files.Patient;
  assert.equal(patients.length, 2, 'María and the one who agreed, not the one who withdrew');
  const ids = new Set(patients.map((p) => p.id));
  for (const p of patients) {
    assert.match(p.id, /^[0-9a-f]{32}$/);
    for (const k of ['name', 'identifier', 'telecom', 'address', 'extension', 'text', 'meta', 'contact'])
      assert.equal(p[k], undefined, k);
  }
  // No name, number or real id of anyone, anywhere.
  const all = (files['Patient.text'] || []).join('') + (files['Observation.text'] || []).join('');
  for (const secret of ['María', 'López', 'MRN-', maria, yes, no])
    assert.ok(!all.includes(secret), `"${secret}" leaked`);
  // References point at the pseudonyms of the Patient file.
  const obs = files.Observation;
  const expected = query(server, `SELECT count(*) AS n FROM reading WHERE patient_id IN (${maria}, ${yes})`)[0].n;
  assert.equal(obs.length, expected);
  for (const o of obs) {
    assert.ok(ids.has(o.subject.reference.slice(8)), o.subject.reference);
    assert.match(o.id, /^[0-9a-f]{32}$/);
    assert.equal(o.note, undefined);
    assert.equal(o.performer, undefined);
  }
  // Every date of one patient moves by the same days: the gaps between
  // readings are kept.
  const groups = {};
  for (const o of obs) (groups[o.subject.reference] ||= []).push(Date.parse(o.effectiveDateTime || o.effectiveInstant));
  const real = query(server, `SELECT at_ms FROM reading WHERE patient_id = ${maria} ORDER BY at_ms`).map((r) => Number(r.at_ms));
  assert.ok(real.length > 1, 'María has readings');
  const shifts = Object.values(groups).map((g) => g.sort((a, b) => a - b)).filter((g) => g.length === real.length)
    .map((g) => g.map((t, i) => t - real[i])).filter((d) => d.every((x) => x === d[0])).map((d) => d[0]);
  assert.equal(shifts.length, 1, 'one pseudonym holds María\'s readings, all moved alike');
  assert.notEqual(shifts[0], 0);
  assert.ok(shifts[0] % 86400000 === 0, 'whole days');
  assert.ok(Math.abs(shifts[0]) <= 183 * 86400000);
  // The same key: the same pseudonyms in the next export.
  const again = await exportAll(researchToken, '/fhir/Patient/$export?_type=Patient');
  assert.deepEqual(new Set(again.files.Patient.map((p) => p.id)), ids);
  assert.ok(query(server, `SELECT count(*) AS n FROM audit_event WHERE action = 'export' AND detail = 'research'`)[0].n >= 2);
});

test('a research token reaches no record by name, and only researchers make research exports', async () => {
  for (const path of [`/fhir/Patient/${maria}`, '/fhir/Patient', '/fhir/Observation?patient=' + maria]) {
    const r = await raw(path, researchToken);
    assert.equal(r.status, 403, path);
    assert.equal(r.body.resourceType, 'OperationOutcome');
  }
  // A doctor may export her patients, but not for research.
  const doctorResearch = await makeToken('doctor', 'user/*.rs research');
  const before = snapshot(server);
  const r = await raw('/fhir/$export', doctorResearch, { headers: { prefer: 'respond-async' } });
  assert.equal(r.status, 403);
  assert.equal(r.body.resourceType, 'OperationOutcome');
  // A patient's token cannot carry the research scope at all.
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf('/account');
  const made = await c.post('/account/tokens', { csrf, label: 'research', scopes: 'patient/*.rs research', days: '30' });
  assert.equal(made.status, 400);
  // A research token may not write.
  const w = await c.post('/account/tokens', { csrf, label: 'research', scopes: 'user/*.cruds research', days: '30' });
  assert.equal(w.status, 400);
  assert.equal(snapshot(server), before);
  // Without the research scope, the researcher's own policy decides: no
  // care relationship, no patient.
  const plain = await makeToken('researcher', 'user/*.rs');
  const { files } = await exportAll(plain);
  assert.equal((files.Patient || []).length, 0);
});
