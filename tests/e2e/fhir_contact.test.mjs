// Messages and appointments through the FHIR API with a real FHIR
// client library (fhir-kit-client): a patient writes to her care team
// and replies in the thread as Communications, seen on the messages
// page; her doctor pages through them while more arrive; a request key
// keeps a message sent twice from being stored twice; appointments read
// and searched by date and status; tokens that stay within their
// patient; and bad input refused with an OperationOutcome that changes
// nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeToken as makeTokenFor, fhirClient, refused, fhirRaw } from './fhir_lib.mjs';
import { startServer, Client, query, snapshot, patientId } from './lib.mjs';

const EXT = 'https://cocare.org/fhir/StructureDefinition/';
const KEY = 'https://cocare.org/fhir/identifier/message-request';
let server, maria, other, patientToken, doctorToken, readOnly;
const makeToken = (user, scopes) => makeTokenFor(server, user, scopes);
const fhir = (token) => fhirClient(server, token);
const ext = (r, url) => (r.extension || []).find((e) => e.url === EXT + url);

function message(text, extra = {}) {
  return { resourceType: 'Communication', status: 'completed', subject: { reference: `Patient/${maria}` }, payload: [{ contentString: text }], ...extra };
}

before(async () => {
  server = await startServer();
  maria = patientId(server);
  other = query(server, `SELECT CAST(id AS TEXT) AS id FROM patient WHERE id != ${maria} ORDER BY id LIMIT 1`)[0].id;
  patientToken = await makeToken('patient', 'patient/Communication.crs patient/Appointment.rs');
  doctorToken = await makeToken('doctor', 'user/Communication.crs user/Appointment.rs');
  readOnly = await makeToken('patient', 'patient/Communication.rs');
});
after(async () => { await server?.stop(); });

test('the CapabilityStatement lists Communication and Appointment', async () => {
  const cs = await fhir(undefined).capabilityStatement();
  const types = Object.fromEntries(cs.rest[0].resource.map((r) => [r.type, r]));
  assert.deepEqual(types.Communication.interaction.map((i) => i.code), ['read', 'search-type', 'create']);
  assert.deepEqual(types.Appointment.interaction.map((i) => i.code), ['read', 'search-type']);
});

test('a patient writes to her care team and replies in the thread; the page shows it', async () => {
  const sent = await fhir(patientToken).create({ resourceType: 'Communication', body: message('Can I take ibuprofen with my new tablets?', {
    topic: { text: 'A question about my tablets' }, recipient: [{ reference: `CareTeam/${maria}` }],
  }) });
  assert.equal(sent.resourceType, 'Communication');
  assert.equal(sent.topic.text, 'A question about my tablets');
  assert.equal(sent.payload[0].contentString, 'Can I take ibuprofen with my new tablets?');
  assert.equal(sent.sender.reference, `Patient/${maria}`);
  assert.equal(sent.recipient[0].reference, `CareTeam/${maria}`);
  assert.equal(ext(sent, 'voice').valueCode, 'patient');
  assert.equal(ext(sent, 'thread-position').valueInteger, 1);
  const thread = ext(sent, 'thread').valueString;
  // The doctor answers in the same thread.
  const reply = await fhir(doctorToken).create({ resourceType: 'Communication', body: message('Yes, with food. Come back if it hurts.', {
    extension: [{ url: EXT + 'thread', valueString: thread }],
  }) });
  assert.equal(ext(reply, 'thread').valueString, thread);
  assert.equal(ext(reply, 'thread-position').valueInteger, 2);
  assert.equal(reply.recipient[0].reference, `Patient/${maria}`);
  assert.match(reply.sender.reference, /^Practitioner\//);
  // On the page, as if typed there.
  const c = new Client(server.url);
  await c.signIn('patient');
  const page = await c.request(`/messages/${thread}`);
  assert.equal(page.status, 200);
  assert.match(page.text_, /Can I take ibuprofen/);
  assert.match(page.text_, /Yes, with food/);
  // Read through the API: still unread for her (the page marks it).
  const got = await fhir(readOnly).read({ resourceType: 'Communication', id: reply.id });
  assert.equal(got.payload[0].contentString, 'Yes, with food. Come back if it hurts.');
});

test('sent twice with the same request key: stored once', async () => {
  const body = message('Is the clinic open on Saturday?', { topic: { text: 'Opening hours' }, identifier: [{ system: KEY, value: 'weekend-question-0001' }] });
  const first = await fhir(patientToken).create({ resourceType: 'Communication', body });
  const before = snapshot(server);
  const r = await fhirRaw(server, '/fhir/Communication', { method: 'POST', token: patientToken, body: JSON.stringify(body), headers: { 'content-type': 'application/fhir+json' } });
  assert.equal(r.status, 200);
  assert.equal(r.body.id, first.id);
  assert.equal(snapshot(server), before);
});

test('the doctor pages through her messages while more arrive', async () => {
  const client = fhir(doctorToken);
  const total = (await client.search({ resourceType: 'Communication', searchParams: { patient: maria, _summary: 'count' } })).total;
  assert.equal(total, query(server, `SELECT count(*) AS n FROM message WHERE patient_id = ${maria}`)[0].n);
  let bundle = await client.search({ resourceType: 'Communication', searchParams: { patient: maria, _count: 2 } });
  const seen = [];
  let added = false;
  while (bundle) {
    seen.push(...bundle.entry.map((e) => e.resource.id));
    if (!added) {
      await fhir(patientToken).create({ resourceType: 'Communication', body: message('One more thing.', { topic: { text: 'Also' } }) });
      added = true;
    }
    bundle = await client.nextPage({ bundle });
  }
  assert.equal(seen.length, total, 'every message once, the new one not among them');
  assert.equal(new Set(seen).size, seen.length);
  // Dates: sent since a moment.
  const recent = await client.search({ resourceType: 'Communication', searchParams: { patient: maria, sent: 'ge2026-01-01' } });
  assert.ok(recent.entry.every((e) => e.resource.sent >= '2026-01-01'));
});

test('appointments: read and searched by date and status', async () => {
  const rows = query(server, `SELECT CAST(id AS TEXT) AS id, status FROM appointment WHERE patient_id = ${maria} ORDER BY starts_at DESC`);
  assert.ok(rows.length > 0);
  const all = await fhir(patientToken).search({ resourceType: 'Appointment', searchParams: { _count: 100 } });
  assert.deepEqual(all.entry.map((e) => e.resource.id), rows.map((r) => r.id));
  const a = await fhir(patientToken).read({ resourceType: 'Appointment', id: rows[0].id });
  assert.equal(a.participant[0].actor.reference, `Patient/${maria}`);
  assert.ok(a.start < a.end);
  assert.ok(ext(a, 'modality'));
  const map = { booked: 'booked', cancelled: 'cancelled', attended: 'fulfilled', no_show: 'noshow' };
  for (const status of new Set(rows.map((r) => r.status))) {
    const b = await fhir(patientToken).search({ resourceType: 'Appointment', searchParams: { status: map[status], _count: 100 } });
    assert.equal(b.entry.length, rows.filter((r) => r.status === status).length, status);
  }
  const counted = await fhir(patientToken).search({ resourceType: 'Appointment', searchParams: { date: 'ge2000-01-01', _summary: 'count' } });
  assert.equal(counted.total, rows.length);
});

test('scopes, the access policy and bad messages: refused, nothing changes', async () => {
  const before = snapshot(server);
  const theirs = query(server, `SELECT CAST(id AS TEXT) AS id FROM message WHERE patient_id != ${maria} LIMIT 1`)[0]?.id;
  if (theirs) assert.equal((await refused(fhir(patientToken).read({ resourceType: 'Communication', id: theirs }))).status, 403);
  let r = await refused(fhir(patientToken).search({ resourceType: 'Communication', searchParams: { patient: other } }));
  assert.equal(r.status, 403);
  r = await refused(fhir(readOnly).create({ resourceType: 'Communication', body: message('x', { topic: { text: 'x' } }) }));
  assert.equal(r.status, 403);
  r = await refused(fhir(patientToken).create({ resourceType: 'Communication', body: message('x', { topic: { text: 'x' }, subject: { reference: `Patient/${other}` } }) }));
  assert.equal(r.status, 403);
  const doctorId = query(server, "SELECT CAST(id AS TEXT) AS id FROM account WHERE username = 'reception'")[0].id;
  for (const [body, status, path] of [
    [message('x', { topic: { text: 'x' }, colour: 'red' }), 400, 'Communication.colour'],
    [message('x'), 400, 'Communication.topic'],
    [message('x', { topic: { text: 'x' }, status: 'done' }), 400, 'Communication.status'],
    [message('x', { topic: { text: 'x' }, status: 'preparation' }), 422, 'Communication.status'],
    [{ ...message('x', { topic: { text: 'x' } }), payload: [{ contentAttachment: { contentType: 'image/png', data: 'AAAA' } }] }, 422, 'Communication.payload[0].contentAttachment'],
    [{ ...message('x', { topic: { text: 'x' } }), payload: undefined }, 400, 'Communication.payload'],
    [message('x', { topic: { text: 'x' }, recipient: [{ reference: `Practitioner/${doctorId}` }] }), 422, 'Communication.recipient'],
    [message('x', { topic: { text: 'x' }, recipient: [{ reference: 'Group/1' }] }), 422, 'Communication.recipient[0]'],
    [message('x', { extension: [{ url: EXT + 'thread', valueString: '999999999' }] }), 422, 'Communication.extension'],
    [message('x'.repeat(5001), { topic: { text: 'x' } }), 422, 'Communication.payload[0].contentString'],
    [message('x', { topic: { text: 'x'.repeat(201) } }), 422, 'Communication.topic.text'],
    [message('x', { topic: { text: 'x' }, identifier: [{ system: KEY, value: 'short' }] }), 422, 'Communication.identifier'],
    [message('x', { topic: { text: 'x' }, subject: { reference: 'Patient/999999999' } }), 422, 'Communication.subject'],
  ]) {
    r = await refused(fhir(patientToken).create({ resourceType: 'Communication', body: JSON.parse(JSON.stringify(body)) }));
    assert.equal(r.status, status, JSON.stringify(body).slice(0, 200));
    assert.equal(r.outcome.resourceType, 'OperationOutcome');
    assert.equal(r.outcome.issue[0].expression?.[0], path, JSON.stringify(body).slice(0, 200));
  }
  for (const q of ['status=maybe', 'colour=blue', 'date=yesterday']) {
    const res = await fhirRaw(server, `/fhir/Appointment?${q}`, { token: patientToken });
    assert.equal(res.status, q === 'status=maybe' ? 200 : 400, q);
  }
  assert.equal((await fhirRaw(server, '/fhir/Appointment', { method: 'POST', token: patientToken, body: '{"resourceType":"Appointment"}', headers: { 'content-type': 'application/fhir+json' } })).status, 405);
  assert.equal(snapshot(server), before);
});
