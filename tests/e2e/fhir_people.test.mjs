// The FHIR API's people through a real FHIR client (fhir-kit-client):
// Practitioner, PractitionerRole and Organization for anyone of the
// organisation and nobody else, a patient's CareTeam, and caregiver
// grants as RelatedPerson and Consent for the patient and their care
// team only (never another caregiver), paged while grants are added,
// with refusals and bad parameters answered by an OperationOutcome that
// changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeToken as makeTokenFor, fhirClient, refused, fhirRaw } from './fhir_lib.mjs';
import { startServer, Client, query, snapshot, patientId } from './lib.mjs';

// Another organisation, written straight into the database: cocare makes
// only one organisation per install from its command line.
const OTHER_ORG = '9000000000000001';
const OTHER_UNIT = '9000000000000002';
const OTHER_STAFF = '9000000000000003';

let server, maria, other, orgId, patientToken, patientOnlyToken, doctorToken,
  carerToken, receptionToken, adminToken;

const makeToken = (user, scopes) => makeTokenFor(server, user, scopes);
const fhir = (token) => fhirClient(server, token);
const raw = (path, opts = {}) => fhirRaw(server, path, { token: patientToken, ...opts });

// Every resource of a search, following the next links as they are.
async function all(client, resourceType, searchParams, between) {
  let bundle = await client.search({ resourceType, searchParams });
  const seen = [];
  let pages = 0;
  while (bundle) {
    pages++;
    assert.equal(bundle.resourceType, 'Bundle');
    for (const e of bundle.entry || []) seen.push(e.resource);
    if (between) await between(pages);
    bundle = await client.nextPage({ bundle });
  }
  return { seen, pages };
}

function ids(list) {
  return list.map((r) => r.id);
}

// Maria gives caregiver `username` access on her grants page.
async function grant(username, relationship, scopes = { scope_profile_read: '1' }) {
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf(`/patients/${maria}/grants`);
  const res = await c.post(`/patients/${maria}/grants`, { csrf, username, relationship, expires: '', ...scopes });
  assert.equal(res.status, 303, res.text_.slice(0, 300));
}

before(async () => {
  server = await startServer();
  maria = patientId(server);
  other = query(server, `SELECT CAST(id AS TEXT) AS id FROM patient WHERE id != ${maria} ORDER BY id LIMIT 1`)[0].id;
  orgId = query(server, 'SELECT CAST(id AS TEXT) AS id FROM organisation')[0].id;
  execFileSync('sqlite3', [join(server.dir, 'cocare.db'),
    `INSERT INTO organisation (id, name, created_at) VALUES (${OTHER_ORG}, 'Northside Clinic', 1);
     INSERT INTO unit (id, org_id, name, created_at) VALUES (${OTHER_UNIT}, ${OTHER_ORG}, 'Northside Ward', 1);
     INSERT INTO account (id, org_id, username, display_name, role, discipline, password_hash, created_at, updated_at)
       VALUES (${OTHER_STAFF}, ${OTHER_ORG}, 'north.doc', 'Nora North', 'professional', 'psychiatry', 'x', 1, 1);`]);
  patientToken = await makeToken('patient', 'patient/CareTeam.rs patient/RelatedPerson.rs patient/Consent.rs '
    + 'user/Practitioner.rs user/PractitionerRole.rs user/Organization.rs');
  patientOnlyToken = await makeToken('patient', 'patient/*.rs');
  doctorToken = await makeToken('doctor', 'user/*.rs');
  carerToken = await makeToken('caregiver', 'user/*.rs');
  receptionToken = await makeToken('reception', 'user/*.rs');
  adminToken = await makeToken('admin', 'user/*.rs');
});
after(async () => { await server?.stop(); });

test('practitioners: the staff of the organisation, by name and role, page by page', async () => {
  const staff = query(server, `SELECT CAST(id AS TEXT) AS id, display_name, role, discipline, CAST(unit_id AS TEXT) AS unit
    FROM account WHERE org_id = ${orgId} AND role NOT IN ('patient', 'caregiver') ORDER BY id`);
  assert.ok(staff.length > 10);
  const { seen, pages } = await all(fhir(patientToken), 'Practitioner', { _count: 4 });
  assert.equal(pages, Math.ceil(staff.length / 4));
  assert.deepEqual(ids(seen), staff.map((s) => s.id), 'every staff member once, by id');
  assert.ok(!ids(seen).includes(OTHER_STAFF), 'not another organisation\'s');
  const doctor = staff.find((s) => s.display_name === 'Amara Okafor');
  const p = await fhir(patientToken).read({ resourceType: 'Practitioner', id: doctor.id });
  assert.equal(p.resourceType, 'Practitioner');
  assert.deepEqual(p.name, [{ text: 'Amara Okafor' }]);
  assert.equal(p.active, true);
  assert.equal(p.meta.versionId, '1');
  assert.match(p.meta.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  // Nothing to contact them by, nothing to sign in with.
  assert.deepEqual(Object.keys(p).sort(), ['active', 'id', 'meta', 'name', 'resourceType']);
  // Name: a word of the name starts with it.
  let b = await fhir(patientToken).search({ resourceType: 'Practitioner', searchParams: { name: 'oka' } });
  assert.deepEqual(b.entry.map((e) => e.resource.name[0].text), ['Amara Okafor']);
  b = await fhir(patientToken).search({ resourceType: 'Practitioner', searchParams: { name: 'kafor' } });
  assert.equal((b.entry || []).length, 0);
  b = await fhir(patientToken).search({ resourceType: 'Practitioner', searchParams: { active: 'true', _summary: 'count' } });
  assert.equal(b.total, staff.length);
  b = await fhir(patientToken).search({ resourceType: 'Practitioner', searchParams: { active: 'false', _summary: 'count' } });
  assert.equal(b.total, 0);
  // A boolean has no system: one with a system matches nothing.
  b = await fhir(patientToken).search({ resourceType: 'Practitioner', searchParams: { active: 'http://example.org|true' } });
  assert.equal((b.entry || []).length, 0);

  // The role: what they do, in which unit.
  const role = await fhir(patientToken).read({ resourceType: 'PractitionerRole', id: doctor.id });
  assert.equal(role.practitioner.reference, `Practitioner/${doctor.id}`);
  assert.equal(role.organization.reference, `Organization/${doctor.unit}`);
  assert.deepEqual(role.code[0].coding[0], { system: 'https://cocare.org/fhir/CodeSystem/role', code: 'professional', display: 'Professional' });
  assert.deepEqual(role.specialty, [{ text: 'psychiatry' }]);
  const admin = staff.find((s) => s.role === 'administrator');
  const adminRole = await fhir(patientToken).read({ resourceType: 'PractitionerRole', id: admin.id });
  assert.equal(adminRole.organization.reference, `Organization/${orgId}`, 'no unit: the organisation');
  assert.equal(adminRole.specialty, undefined);
  const inUnit = staff.filter((s) => s.unit === doctor.unit).map((s) => s.id);
  const unitRoles = await all(fhir(patientToken), 'PractitionerRole', { organization: `Organization/${doctor.unit}`, _count: 3 });
  assert.deepEqual(ids(unitRoles.seen), inUnit);
  b = await fhir(patientToken).search({ resourceType: 'PractitionerRole', searchParams: { organization: `Organization/${orgId}`, _summary: 'count' } });
  assert.equal(b.total, staff.length, 'the organisation holds every unit');
  b = await fhir(patientToken).search({ resourceType: 'PractitionerRole', searchParams: { role: 'https://cocare.org/fhir/CodeSystem/role|receptionist' } });
  assert.deepEqual(ids(b.entry.map((e) => e.resource)), staff.filter((s) => s.role === 'receptionist').map((s) => s.id));
  b = await fhir(patientToken).search({ resourceType: 'PractitionerRole', searchParams: { practitioner: `Practitioner/${doctor.id}` } });
  assert.deepEqual(ids(b.entry.map((e) => e.resource)), [doctor.id]);
  for (const v of [`Patient/${maria}`, `Organization/${OTHER_UNIT}`, 'role=patient']) {
    const params = v.startsWith('role=') ? { role: 'patient' } : { organization: v };
    b = await fhir(patientToken).search({ resourceType: 'PractitionerRole', searchParams: params });
    assert.equal((b.entry || []).length, 0, v);
  }
});

test('organisations: this one and its units; another organisation is not there', async () => {
  const units = query(server, `SELECT CAST(id AS TEXT) AS id, name FROM unit WHERE org_id = ${orgId} ORDER BY id`);
  const org = await fhir(receptionToken).read({ resourceType: 'Organization', id: orgId });
  assert.equal(org.type[0].coding[0].code, 'prov');
  assert.equal(org.partOf, undefined);
  assert.ok(org.name);
  assert.equal(org.extension[0].url, 'https://cocare.org/fhir/StructureDefinition/emergency-number');
  const unit = await fhir(receptionToken).read({ resourceType: 'Organization', id: units[0].id });
  assert.equal(unit.partOf.reference, `Organization/${orgId}`);
  assert.equal(unit.type[0].coding[0].code, 'dept');
  assert.equal(unit.name, units[0].name);
  const { seen } = await all(fhir(patientToken), 'Organization', { _count: 1 });
  assert.deepEqual(ids(seen), [orgId, ...units.map((u) => u.id)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
  let b = await fhir(patientToken).search({ resourceType: 'Organization', searchParams: { partof: `Organization/${orgId}` } });
  assert.deepEqual(ids(b.entry.map((e) => e.resource)), units.map((u) => u.id));
  b = await fhir(patientToken).search({ resourceType: 'Organization', searchParams: { name: 'hillview' } });
  assert.deepEqual(b.entry.map((e) => e.resource.name), ['Hillview Long-term Conditions Clinic']);
  b = await fhir(patientToken).search({ resourceType: 'Organization', searchParams: { name: 'northside' } });
  assert.equal((b.entry || []).length, 0);

  // Another organisation's records are not found, by anyone here.
  for (const token of [patientToken, doctorToken, adminToken]) {
    for (const [type, id] of [['Organization', OTHER_ORG], ['Organization', OTHER_UNIT], ['Practitioner', OTHER_STAFF], ['PractitionerRole', OTHER_STAFF]]) {
      const r = await refused(fhir(token).read({ resourceType: type, id }));
      assert.equal(r.status, 404, `${type}/${id}`);
      assert.equal(r.outcome.resourceType, 'OperationOutcome');
    }
  }
  // Patients and caregivers are no practitioners.
  const carer = query(server, "SELECT CAST(id AS TEXT) AS id FROM account WHERE username = 'caregiver'")[0].id;
  const patientAcc = query(server, "SELECT CAST(id AS TEXT) AS id FROM account WHERE username = 'patient'")[0].id;
  for (const id of [carer, patientAcc]) {
    assert.equal((await raw(`/fhir/Practitioner/${id}`)).status, 404);
    assert.equal((await raw(`/fhir/PractitionerRole/${id}`)).status, 404);
  }
});

test('a patient\'s care team: the professionals and their roles, for those who may see it', async () => {
  const team = query(server, `SELECT CAST(m.id AS TEXT) AS id, CAST(m.account_id AS TEXT) AS account, m.team_role, a.display_name
    FROM care_team_member m JOIN account a ON a.id = m.account_id WHERE m.patient_id = ${maria} ORDER BY m.since, m.id`);
  assert.ok(team.length >= 2);
  const ct = await fhir(patientToken).read({ resourceType: 'CareTeam', id: maria });
  assert.equal(ct.id, maria);
  assert.equal(ct.status, 'active');
  assert.equal(ct.subject.reference, `Patient/${maria}`);
  assert.deepEqual(ct.participant.map((p) => [p.id, p.member.reference, p.member.display, p.role[0].text]),
    team.map((m) => [m.id, `Practitioner/${m.account}`, m.display_name, m.team_role]));
  // Each member is a Practitioner the patient may read.
  const first = await fhir(patientToken).read({ resourceType: 'Practitioner', id: team[0].account });
  assert.equal(first.name[0].text, team[0].display_name);
  // Searching: her own by default; the doctor says whose.
  let b = await fhir(patientToken).search({ resourceType: 'CareTeam', searchParams: {} });
  assert.deepEqual(ids(b.entry.map((e) => e.resource)), [maria]);
  b = await fhir(doctorToken).search({ resourceType: 'CareTeam', searchParams: { patient: `Patient/${maria}` } });
  assert.deepEqual(b.entry[0].resource, ct);
  b = await fhir(doctorToken).search({ resourceType: 'CareTeam', searchParams: { subject: maria, _summary: 'count' } });
  assert.equal(b.total, 1);
  // Reception and a caregiver granted "see the care team" may read it.
  assert.deepEqual(await fhir(receptionToken).read({ resourceType: 'CareTeam', id: maria }), ct);
  assert.deepEqual(await fhir(carerToken).read({ resourceType: 'CareTeam', id: maria }), ct);
  const audited = query(server, `SELECT count(*) AS n FROM audit_event WHERE resource_type = 'CareTeam' AND patient_id = ${maria} AND outcome = 'success'`);
  assert.ok(audited[0].n >= 4, 'every read is audited');
});

test('caregiver grants as RelatedPerson and Consent, paged while more are given', async () => {
  const client = fhir(patientToken);
  let b = await client.search({ resourceType: 'RelatedPerson', searchParams: { active: 'true' } });
  const lucia = b.entry.map((e) => e.resource).find((r) => r.name[0].text === 'Lucía Romero López');
  assert.ok(lucia, 'Lucía helps María');
  assert.equal(lucia.active, true);
  assert.deepEqual(lucia.relationship, [{ text: 'daughter' }]);
  assert.equal(lucia.patient.reference, `Patient/${maria}`);
  assert.equal(lucia.identifier[0].system, 'https://cocare.org/fhir/identifier/account');
  const consent = await client.read({ resourceType: 'Consent', id: lucia.id });
  assert.equal(consent.status, 'active');
  assert.equal(consent.category[0].text, 'caregiver access');
  assert.equal(consent.patient.reference, `Patient/${maria}`);
  assert.equal(consent.performer[0].reference, `Patient/${maria}`, 'María granted it');
  assert.equal(consent.provision.actor[0].reference.reference, `RelatedPerson/${lucia.id}`);
  assert.equal(consent.provision.period.start, lucia.period.start);
  const parts = Object.fromEntries(consent.provision.provision.map((p) => [p.class[0].code, p.action.map((a) => a.coding[0].code)]));
  assert.deepEqual(parts, { profile: ['access'], care_team: ['access'], care_record: ['access'], measures: ['access', 'correct'], notes: ['access'] });

  // María lets three more people in; a fourth arrives between pages.
  await grant('c002', 'neighbour');
  await grant('c003', 'friend', { scope_contact_read: '1', scope_contact_write: '1' });
  await grant('c004', 'brother');
  const before = query(server, `SELECT CAST(id AS TEXT) AS id FROM caregiver_grant WHERE patient_id = ${maria} ORDER BY granted_at DESC, id DESC`).map((r) => r.id);
  const { seen, pages } = await all(client, 'Consent', { _count: 2 }, async (page) => {
    if (page === 1) await grant('c005', 'cousin');
  });
  assert.equal(pages, Math.ceil(before.length / 2));
  assert.deepEqual(ids(seen), before, 'newest first, none twice, none skipped');
  b = await client.search({ resourceType: 'Consent', searchParams: { status: 'active', _summary: 'count' } });
  assert.equal(b.total, before.length + 1);
  const oldest = await all(client, 'Consent', { _count: 2, _sort: 'date' });
  assert.equal(oldest.seen.length, before.length + 1);
  assert.deepEqual(ids(oldest.seen).slice(0, -1), [...before].reverse(), 'oldest first with _sort=date');
  b = await client.search({ resourceType: 'Consent', searchParams: { date: `lt${lucia.period.start}` } });
  assert.equal((b.entry || []).length, 0, 'nothing before the first grant');
  b = await client.search({ resourceType: 'Consent', searchParams: { status: 'http://hl7.org/fhir/consent-state-codes|inactive' } });
  assert.equal((b.entry || []).length, 0);
  const rp = await all(client, 'RelatedPerson', { _count: 3 });
  assert.deepEqual(ids(rp.seen), [...ids(oldest.seen)].reverse(), 'one RelatedPerson per grant, with its id');

  // The doctor on her team may see them too.
  b = await fhir(doctorToken).search({ resourceType: 'Consent', searchParams: { patient: maria, _summary: 'count' } });
  assert.equal(b.total, before.length + 1);
});

test('only the patient and their care team see grants: never a caregiver, reception or a stranger', async () => {
  const snap = snapshot(server);
  const grantId = query(server, `SELECT CAST(g.id AS TEXT) AS id FROM caregiver_grant g JOIN account a ON a.id = g.caregiver_id WHERE a.username = 'caregiver'`)[0].id;
  for (const token of [carerToken, receptionToken, adminToken]) {
    for (const type of ['Consent', 'RelatedPerson']) {
      let r = await refused(fhir(token).read({ resourceType: type, id: grantId }));
      assert.equal(r.status, 403, `${type} read`);
      assert.equal(r.outcome.issue[0].code, 'forbidden');
      r = await refused(fhir(token).search({ resourceType: type, searchParams: { patient: maria } }));
      assert.equal(r.status, 403, `${type} search`);
    }
  }
  // A patient's token never reaches another patient.
  for (const type of ['CareTeam', 'Consent', 'RelatedPerson']) {
    const r = await refused(fhir(patientToken).search({ resourceType: type, searchParams: { patient: other } }));
    assert.equal(r.status, 403, type);
  }
  let r = await refused(fhir(patientToken).read({ resourceType: 'CareTeam', id: other }));
  assert.equal(r.status, 403);
  // Administrators do not open records: no care team for them.
  r = await refused(fhir(adminToken).read({ resourceType: 'CareTeam', id: maria }));
  assert.equal(r.status, 403);
  // patient/ scopes reach her own record only, not the organisation's staff.
  r = await refused(fhir(patientOnlyToken).read({ resourceType: 'Practitioner', id: query(server, "SELECT CAST(id AS TEXT) AS id FROM account WHERE username = 'doctor'")[0].id }));
  assert.equal(r.status, 403);
  r = await refused(fhir(patientOnlyToken).search({ resourceType: 'Organization', searchParams: {} }));
  assert.equal(r.status, 403);
  // No token, a wrong token.
  for (const path of [`/fhir/Practitioner/${OTHER_STAFF}`, `/fhir/Organization?name=x`, `/fhir/CareTeam/${maria}`,
    `/fhir/Consent?patient=${maria}`, `/fhir/RelatedPerson/${grantId}`, `/fhir/PractitionerRole`]) {
    for (const token of [null, 'cct_' + '0'.repeat(64)]) {
      const x = await raw(path, { token });
      assert.equal(x.status, 401, path);
      assert.equal(x.body.resourceType, 'OperationOutcome');
    }
  }
  assert.equal(snapshot(server), snap, 'nothing changed');
  const denied = query(server, `SELECT count(*) AS n FROM audit_event WHERE outcome = 'denied' AND resource_type IN ('Consent', 'RelatedPerson', 'CareTeam')`);
  assert.ok(denied[0].n >= 12, 'refusals are audited');
});

test('bad parameters get an OperationOutcome and change nothing', async () => {
  const snap = snapshot(server);
  const cases = [
    ['/fhir/Practitioner?colour=blue', 400, 'not-supported', 'colour'],
    ['/fhir/Practitioner?name:exact=Amara', 400, 'not-supported', 'name'],
    ['/fhir/Practitioner?name=a&name=b', 400, 'not-supported', 'name'],
    ['/fhir/Practitioner?active=maybe', 400, 'value', 'active'],
    ['/fhir/Practitioner?_sort=date', 400, 'not-supported', '_sort'],
    ['/fhir/Practitioner?_cursor=junk', 400, 'value', '_cursor'],
    ['/fhir/PractitionerRole?practitioner=nobody', 400, 'value', 'practitioner'],
    ['/fhir/PractitionerRole?_include=PractitionerRole:practitioner', 400, 'not-supported', '_include'],
    ['/fhir/Organization?partof=x/y', 400, 'value', 'partof'],
    ['/fhir/CareTeam?patient=Practitioner/1', 400, 'value', 'patient'],
    ['/fhir/CareTeam?status=active', 400, 'not-supported', 'status'],
    ['/fhir/Consent?date=2024-13-01', 400, 'value', 'date'],
    ['/fhir/Consent?date=yesterday', 400, 'not-supported', 'date'],
    ['/fhir/Consent?_count=5000', 400, 'value', '_count'],
    ['/fhir/RelatedPerson?active=yes', 400, 'value', 'active'],
    ['/fhir/Consent/abc', 404, 'not-found'],
    ['/fhir/Consent/999999999', 404, 'not-found'],
    ['/fhir/CareTeam/999999999', 404, 'not-found'],
    ['/fhir/Consent?patient=999999999', 404, 'not-found', 'patient'],
  ];
  for (const [path, status, code, where] of cases) {
    const r = await raw(path);
    assert.equal(r.status, status, path);
    assert.equal(r.body.resourceType, 'OperationOutcome', path);
    assert.equal(r.body.issue[0].code, code, path);
    if (where) assert.deepEqual(r.body.issue[0].expression, [where], path);
  }
  // Staff must say whose grants or team.
  for (const type of ['CareTeam', 'Consent', 'RelatedPerson']) {
    const r = await raw(`/fhir/${type}`, { token: doctorToken });
    assert.equal(r.status, 400, type);
    assert.equal(r.body.issue[0].code, 'required');
  }
  // Read-only types: no create.
  const r = await raw('/fhir/Consent', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{"resourceType":"Consent"}' });
  assert.equal(r.status, 405);
  assert.equal(snapshot(server), snap, 'nothing changed');
});
