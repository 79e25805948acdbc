// Questionnaires and their answers through the FHIR API with a real FHIR
// client library (fhir-kit-client): an administrator adds questionnaires
// (the official HL7 examples cocare can read, round-tripped; the others
// refused with an OperationOutcome saying why), a patient's app sends a
// PHQ-9 and gets the scores cocare computed, responses read and searched
// page by page, tokens that stay within their patient and their scopes,
// and bad input refused with an OperationOutcome that changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { makeToken as makeTokenFor, fhirClient, refused, fhirRaw } from './fhir_lib.mjs';
import { startServer, query, snapshot, patientId, pgConninfo } from './lib.mjs';

const EXAMPLES = new URL('../../../shared/testdata/fhir-r4-examples/', import.meta.url);
const QUESTIONNAIRES = new URL('../../../shared/testdata/fhir-questionnaires/', import.meta.url);
const EXT = 'https://cocare.org/fhir/StructureDefinition/';
const PHQ9 = 'https://cocare.org/fhir/Questionnaire/phq-9';
const made = {};
const PHQ9_FILE = JSON.parse(readFileSync(new URL('../../instruments/phq-9.json', import.meta.url), 'utf8'));
let server, maria, other, adminToken, appToken, readToken, doctorToken;

const makeToken = (user, scopes) => makeTokenFor(server, user, scopes);
const fhir = (token) => fhirClient(server, token);
const load = (dir, name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const post = (token, type, body) => fhirRaw(server, `/fhir/${type}`, {
  method: 'POST', token, headers: { 'content-type': 'application/fhir+json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

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

// The answers to a PHQ-9 of the library: `values` 0-3 for the nine items.
function phq9(values, subject = maria, status = 'completed') {
  const group = PHQ9_FILE.item[0];
  return {
    resourceType: 'QuestionnaireResponse', questionnaire: PHQ9, status,
    subject: { reference: `Patient/${subject}` },
    item: [{
      linkId: group.linkId,
      item: group.item.slice(0, values.length).map((it, k) => ({
        linkId: it.linkId,
        answer: [{ valueCoding: { ...it.answerOption[values[k]].valueCoding } }],
      })),
    }],
  };
}

const ext = (r, url) => (r.extension || []).filter((e) => e.url === EXT + url);
const scoreOf = (r) => Object.fromEntries(ext(r, 'score-result').map((s) => [
  s.extension.find((x) => x.url === 'name').valueString,
  s.extension.find((x) => x.url === 'value')?.valueDecimal,
]));

before(async () => {
  server = await startServer();
  maria = patientId(server);
  other = query(server, `SELECT CAST(id AS TEXT) AS id FROM patient WHERE id != ${maria} AND org_id = (SELECT org_id FROM patient WHERE id = ${maria}) ORDER BY id LIMIT 1`)[0].id;
  adminToken = await makeToken('admin', 'user/Questionnaire.crs');
  appToken = await makeToken('patient', 'patient/QuestionnaireResponse.crs patient/Questionnaire.rs patient/Patient.r');
  readToken = await makeToken('patient', 'patient/QuestionnaireResponse.rs patient/Questionnaire.rs');
  doctorToken = await makeToken('doctor', 'user/QuestionnaireResponse.crs user/Questionnaire.crs');
});
after(async () => { await server?.stop(); });

test('the CapabilityStatement lists Questionnaire and QuestionnaireResponse with what they take', async () => {
  const cs = await fhir(undefined).capabilityStatement();
  const types = Object.fromEntries(cs.rest[0].resource.map((r) => [r.type, r]));
  assert.deepEqual(types.Questionnaire.interaction.map((i) => i.code), ['read', 'search-type', 'create']);
  assert.deepEqual(types.Questionnaire.searchParam.map((p) => p.name), ['url', 'name', 'title', 'status', '_lastUpdated']);
  assert.deepEqual(types.QuestionnaireResponse.interaction.map((i) => i.code), ['read', 'search-type', 'create']);
  assert.deepEqual(types.QuestionnaireResponse.searchParam.map((p) => p.name),
    ['patient', 'subject', 'questionnaire', 'status', 'authored', '_lastUpdated']);
  assert.deepEqual(types.QuestionnaireResponse.searchInclude, ['QuestionnaireResponse:patient', 'QuestionnaireResponse:subject']);
});

// What cocare does not keep of a Questionnaire: the id and meta it gives.
const drop = ({ id, meta, ...rest }) => rest;

test('the HL7 Questionnaire examples: those cocare reads round-trip, the others are refused with the reason', async () => {
  const client = fhir(adminToken);
  const outcomes = {};
  for (const name of ['Questionnaire-3141.json', 'Questionnaire-f201.json', 'Questionnaire-gcs.json', 'Questionnaire-phq-9-questionnaire.json']) {
    const body = load(EXAMPLES, name);
    const before = snapshot(server);
    const r = await post(adminToken, 'Questionnaire', body);
    outcomes[name] = r.status;
    if (r.status !== 201) {
      assert.equal(r.body.resourceType, 'OperationOutcome', name);
      assert.equal(snapshot(server), before, `${name} refused and nothing changed`);
      continue;
    }
    const back = await client.read({ resourceType: 'Questionnaire', id: r.body.id });
    assert.deepEqual(drop(back), drop(body), name);
    assert.deepEqual(drop(r.body), drop(body), name);
    assert.equal(back.meta.versionId, '1');
    made[name] = back;
  }
  // The HL7 PHQ-9 example has no url: answers could not name it.
  assert.deepEqual(outcomes, {
    'Questionnaire-3141.json': 201, 'Questionnaire-f201.json': 201,
    'Questionnaire-gcs.json': 201, 'Questionnaire-phq-9-questionnaire.json': 422,
  });
  const r = await post(adminToken, 'Questionnaire', load(EXAMPLES, 'Questionnaire-phq-9-questionnaire.json'));
  assert.equal(r.body.issue[0].expression[0], 'Questionnaire.url');
  assert.equal(r.body.issue[0].code, 'required');
  // Search: by url, title, status, with paging over all of them.
  const byUrl = await client.search({ resourceType: 'Questionnaire', searchParams: { url: 'http://hl7.org/fhir/Questionnaire/gcs' } });
  assert.deepEqual(byUrl.entry.map((e) => e.resource.id), [made['Questionnaire-gcs.json'].id]);
  const byTitle = await client.search({ resourceType: 'Questionnaire', searchParams: { title: 'glasgow' } });
  assert.deepEqual(byTitle.entry.map((e) => e.resource.id), [made['Questionnaire-gcs.json'].id]);
  const exact = await client.search({ resourceType: 'Questionnaire', searchParams: { 'title:exact': 'glasgow' } });
  assert.equal((exact.entry || []).length, 0);
  const drafts = await client.search({ resourceType: 'Questionnaire', searchParams: { status: 'draft', _lastUpdated: 'ge2020-01-01' } });
  assert.deepEqual(drafts.entry.map((e) => e.resource.id).sort(),
    [made['Questionnaire-3141.json'].id, made['Questionnaire-gcs.json'].id].sort());
  // The organisation's newest first, then the library's instruments.
  const library = readdirSync(new URL('../../instruments/', import.meta.url)).filter((f) => /^[a-z0-9-]+\.json$/.test(f)).length;
  const { got, pages } = await all(fhir(readToken), 'Questionnaire', { _count: 2 });
  assert.equal(got.length, 3 + library);
  assert.equal(new Set(got.map((q) => q.id)).size, 3 + library);
  assert.equal(pages, Math.ceil((3 + library) / 2));
  assert.deepEqual(got.slice(0, 3).map((q) => q.url), ['http://hl7.org/fhir/Questionnaire/gcs', 'http://hl7.org/fhir/Questionnaire/f201', 'http://hl7.org/fhir/Questionnaire/3141']);
  assert.ok(got.slice(3).every((q) => q.url.startsWith('https://cocare.org/fhir/Questionnaire/')));
  const count = await client.search({ resourceType: 'Questionnaire', searchParams: { _summary: 'count' } });
  assert.equal(count.total, 3 + library);
  // The same questionnaire again: the organisation has it already.
  const again = await post(adminToken, 'Questionnaire', load(EXAMPLES, 'Questionnaire-gcs.json'));
  assert.equal(again.status, 409);
  assert.equal(again.body.resourceType, 'OperationOutcome');
});


test('the SDC PHQ-9 added as the upload page adds it, and its answers round-trip with the scores cocare computes', async () => {
  const q = load(QUESTIONNAIRES, 'sdc-phq9-questionnaire.json');
  // Scored by the library's PHQ-9, as chosen on the upload page.
  q.extension = [...(q.extension || []), { url: EXT + 'scored-as', valueCode: 'phq-9' }];
  const created = await fhir(adminToken).create({ resourceType: 'Questionnaire', body: q });
  assert.equal(created.url, q.url);
  assert.equal(query(server, `SELECT scored_as FROM org_instrument WHERE id = ${created.id}`)[0].scored_as, 'phq-9');
  const body = load(QUESTIONNAIRES, 'sdc-phq9-questionnaireresponse.json');
  body.subject = { reference: `Patient/${maria}` };
  const qr = await fhir(appToken).create({ resourceType: 'QuestionnaireResponse', body });
  const back = await fhir(readToken).read({ resourceType: 'QuestionnaireResponse', id: qr.id });
  assert.deepEqual(back, qr);
  assert.equal(back.status, 'completed');
  assert.equal(back.questionnaire, `${q.url}|${q.version}`);
  assert.equal(back.subject.reference, `Patient/${maria}`);
  assert.equal(back.source.reference, `Patient/${maria}`);
  assert.equal(back.author.reference, `Patient/${maria}`);
  assert.equal(back.author.extension[0].valueCode, 'patient');
  assert.equal(ext(back, 'response-mode')[0].valueCode, 'self');
  // Field by field: every answer as sent (the stored total, a calculated
  // item, is computed again instead).
  const sent = answers(body.item);
  const kept = answers(back.item);
  const calculated = Object.keys(sent).filter((k) => !(k in kept));
  for (const k of Object.keys(kept)) assert.deepEqual(kept[k], sent[k], k);
  assert.ok(Object.keys(kept).length >= 9);
  assert.ok(calculated.length <= 1, `only the stored total is dropped: ${calculated}`);
  // The score from the published values: all "Not at all" and a few more.
  const score = scoreOf(back);
  assert.equal(typeof Object.values(score)[0], 'number');
  const stored = query(server, `SELECT name, value_milli FROM measure_score WHERE response_id = ${qr.id}`);
  assert.equal(stored.length, Object.keys(score).length);
  for (const s of stored) assert.equal(score[s.name], s.value_milli / 1000);
  // Provenance in the patient's voice, through the API.
  const prov = query(server, `SELECT voice FROM provenance WHERE resource_type = 'QuestionnaireResponse' AND resource_id = '${qr.id}'`);
  assert.deepEqual(prov.map((p) => p.voice), ['patient']);
});

// An answer as cocare keeps it: a coding's own extensions (an
// ordinalValue) are not kept, the questionnaire gives the values.
const keptValue = (a) => (a.valueCoding ? { valueCoding: (({ extension, ...c }) => c)(a.valueCoding) } : a);
// The answers of a QuestionnaireResponse by linkId, groups flattened.
const answers = (items) => Object.fromEntries((items || []).flatMap((i) => [
  ...(i.answer ? [[i.linkId, i.answer.map(({ item, ...a }) => keptValue(a))]] : []),
  ...Object.entries(answers(i.item)),
  ...(i.answer || []).flatMap((a) => Object.entries(answers(a.item))),
]));

test('the HL7 QuestionnaireResponse examples answering the Questionnaires cocare read', async () => {
  // gcs answers its questionnaire; f201 and 3141 answer items their
  // questionnaires do not have (linkIds 1.1 and 1.1.1.3), so they are refused.
  const want = { 'QuestionnaireResponse-gcs.json': 201, 'QuestionnaireResponse-f201.json': 422, 'QuestionnaireResponse-3141.json': 422 };
  for (const [qname, rname] of [['Questionnaire-gcs.json', 'QuestionnaireResponse-gcs.json'],
    ['Questionnaire-f201.json', 'QuestionnaireResponse-f201.json'], ['Questionnaire-3141.json', 'QuestionnaireResponse-3141.json']]) {
    const body = load(EXAMPLES, rname);
    body.questionnaire = `Questionnaire/${made[qname].id}`;
    body.subject = { reference: `Patient/${maria}` };
    const before = snapshot(server);
    const r = await post(doctorToken, 'QuestionnaireResponse', body);
    assert.equal(r.status, want[rname], JSON.stringify(r.body));
    if (r.status !== 201) {
      assert.equal(r.body.resourceType, 'OperationOutcome');
      assert.equal(r.body.issue[0].expression[0], 'QuestionnaireResponse.item');
      assert.match(r.body.issue[0].diagnostics, /is not in the questionnaire/);
      assert.equal(snapshot(server), before);
      continue;
    }
    const back = await fhir(readToken).read({ resourceType: 'QuestionnaireResponse', id: r.body.id });
    assert.deepEqual(back, r.body);
    // Field by field, dropping what docs/fhir.md says cocare does not keep.
    assert.equal(back.status, body.status);
    assert.equal(back.questionnaire, made[qname].url);
    assert.equal(back.subject.reference, `Patient/${maria}`);
    assert.deepEqual(answers(back.item), answers(body.item));
    assert.equal(back.author.identifier.system, 'https://cocare.org/fhir/identifier/account');
  }
});

test("the library's PHQ-9 is a Questionnaire a patient's app reads, and answers name it by its id too", async () => {
  const client = fhir(readToken);
  const found = await client.search({ resourceType: 'Questionnaire', searchParams: { url: PHQ9 } });
  assert.equal(found.entry.length, 1);
  const q = found.entry[0].resource;
  assert.deepEqual(drop(q), drop(PHQ9_FILE));
  assert.equal(q.meta.versionId, '1');
  assert.deepEqual(await client.read({ resourceType: 'Questionnaire', id: q.id }), q);
  // The same id from one start to the next: made from the library id.
  assert.ok(BigInt(q.id) >= 2n ** 62n);
  const body = phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  body.questionnaire = `Questionnaire/${q.id}`;
  const r = await fhir(appToken).create({ resourceType: 'QuestionnaireResponse', body });
  assert.equal(r.questionnaire, `${PHQ9}|${PHQ9_FILE.version}`);
  assert.deepEqual(Object.values(scoreOf(r)), [0]);
  const byId = await client.search({ resourceType: 'QuestionnaireResponse', searchParams: { questionnaire: `Questionnaire/${q.id}`, _count: 100 } });
  assert.ok(byId.entry.some((e) => e.resource.id === r.id));
  assert.ok(byId.entry.every((e) => e.resource.questionnaire.startsWith(PHQ9)));
  // Not created twice: the library has it.
  const again = await post(adminToken, 'Questionnaire', PHQ9_FILE);
  assert.equal(again.status, 409);
  const missing = await refused(client.read({ resourceType: 'Questionnaire', id: String(2n ** 62n + 1n) }));
  assert.equal(missing.status, 404);
});

test("a patient's app sends a PHQ-9 and pages through her answers while more arrive", async () => {
  const client = fhir(appToken);
  const created = await client.create({ resourceType: 'QuestionnaireResponse', body: phq9([3, 3, 2, 2, 1, 1, 0, 0, 1]) });
  assert.equal(created.status, 'completed');
  assert.equal(created.questionnaire.split('|')[0], PHQ9);
  assert.deepEqual(Object.values(scoreOf(created)), [13]);
  // The alert a flag raises reaches the care team (item 9 above 0).
  assert.ok(query(server, `SELECT count(*) AS n FROM measure_alert WHERE response_id = ${created.id}`)[0].n >= 1);
  // Saved means stored; the request answered like the page does.
  assert.equal(query(server, `SELECT status FROM measure_response WHERE id = ${created.id}`)[0].status, 'completed');
  const inProgress = await client.create({ resourceType: 'QuestionnaireResponse', body: phq9([1, 1], maria, 'in-progress') });
  assert.equal(inProgress.status, 'in-progress');
  assert.equal(ext(inProgress, 'score-result').length, 0);

  const total = (await client.search({ resourceType: 'QuestionnaireResponse', searchParams: { _summary: 'count' } })).total;
  assert.ok(total >= 4);
  let bundle = await client.search({ resourceType: 'QuestionnaireResponse', searchParams: { _count: 3 } });
  const seen = [];
  let pages = 0;
  while (bundle) {
    pages++;
    for (const e of bundle.entry || []) seen.push(e.resource);
    if (pages === 1) await client.create({ resourceType: 'QuestionnaireResponse', body: phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]) });
    bundle = await client.nextPage({ bundle });
  }
  assert.equal(seen.length, total, 'none twice, none skipped; the one added after the first page is not in it');
  assert.equal(new Set(seen.map((r) => r.id)).size, total);
  const times = seen.map((r) => r.authored);
  assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
  assert.equal(pages, Math.ceil(total / 3));

  const done = await client.search({ resourceType: 'QuestionnaireResponse', searchParams: { status: 'in-progress' } });
  assert.ok(done.entry.every((e) => e.resource.status === 'in-progress'));
  assert.ok(done.entry.some((e) => e.resource.id === inProgress.id));
  const today = new Date().toISOString().slice(0, 10);
  const recent = await client.search({ resourceType: 'QuestionnaireResponse', searchParams: { authored: `ge${today}`, questionnaire: PHQ9, status: 'completed' } });
  assert.ok(recent.entry.some((e) => e.resource.id === created.id));
  assert.ok(recent.entry.every((e) => e.resource.authored >= today && e.resource.status === 'completed'));
  const old = await client.search({ resourceType: 'QuestionnaireResponse', searchParams: { authored: 'lt2000-01-01' } });
  assert.equal((old.entry || []).length, 0);
  const upd = await client.search({ resourceType: 'QuestionnaireResponse', searchParams: { _lastUpdated: `ge${today}`, _count: 100 } });
  assert.ok(upd.entry.length >= 3);
  const inc = await client.search({ resourceType: 'QuestionnaireResponse', searchParams: { _count: 1, _include: 'QuestionnaireResponse:patient' } });
  assert.deepEqual(inc.entry.map((e) => e.search.mode), ['match', 'include']);
  assert.equal(inc.entry[1].resource.id, maria);
});

test("a patient's token cannot read or write another patient's answers; a .rs token cannot write", async () => {
  const theirs = query(server, `SELECT CAST(id AS TEXT) AS id FROM measure_response WHERE patient_id != ${maria} LIMIT 1`)[0].id;
  const before = snapshot(server);
  let r = await refused(fhir(appToken).read({ resourceType: 'QuestionnaireResponse', id: theirs }));
  assert.equal(r.status, 403);
  assert.equal(r.outcome.resourceType, 'OperationOutcome');
  r = await refused(fhir(appToken).search({ resourceType: 'QuestionnaireResponse', searchParams: { patient: other } }));
  assert.equal(r.status, 403);
  r = await refused(fhir(appToken).create({ resourceType: 'QuestionnaireResponse', body: phq9([1, 1, 1, 1, 1, 1, 1, 1, 1], other) }));
  assert.equal(r.status, 403);
  r = await refused(fhir(readToken).create({ resourceType: 'QuestionnaireResponse', body: phq9([1, 1, 1, 1, 1, 1, 1, 1, 1]) }));
  assert.equal(r.status, 403);
  assert.equal(r.outcome.issue[0].code, 'forbidden');
  // Only those who may add questionnaires on the administration page.
  r = await refused(fhir(doctorToken).create({ resourceType: 'Questionnaire', body: load(EXAMPLES, 'Questionnaire-gcs.json') }));
  assert.equal(r.status, 403);
  r = await refused(fhir(readToken).create({ resourceType: 'Questionnaire', body: load(EXAMPLES, 'Questionnaire-gcs.json') }));
  assert.equal(r.status, 403);
  assert.equal(snapshot(server), before);
  // The doctor of her team reads them, and records a visit's answers with her.
  const mine = await fhir(doctorToken).search({ resourceType: 'QuestionnaireResponse', searchParams: { patient: maria, _count: 1 } });
  assert.equal(mine.entry[0].resource.subject.reference, `Patient/${maria}`);
  const together = await fhir(doctorToken).create({ resourceType: 'QuestionnaireResponse', body: phq9([0, 1, 0, 1, 0, 1, 0, 1, 0]) });
  assert.equal(ext(together, 'response-mode')[0].valueCode, 'with-professional');
  assert.equal(together.source.reference, `Patient/${maria}`);
  assert.equal(together.author.type, 'Practitioner');
  assert.equal(together.author.extension[0].valueCode, 'professional');
  assert.equal(query(server, `SELECT voice FROM provenance WHERE resource_type = 'QuestionnaireResponse' AND resource_id = '${together.id}'`)[0].voice, 'professional');
});

test('bad input: refused with an OperationOutcome at the element, and nothing changed', async () => {
  const cases = [
    [{ ...phq9([1]), answers: [] }, 400, 'QuestionnaireResponse.answers'],
    [{ ...phq9([1]), status: 7 }, 400, 'QuestionnaireResponse.status'],
    [{ ...phq9([1]), status: 'amended' }, 422, 'QuestionnaireResponse.status'],
    [{ ...phq9([1]), questionnaire: undefined }, 422, 'QuestionnaireResponse.questionnaire'],
    [{ ...phq9([1]), questionnaire: 'http://example.org/none' }, 422, 'QuestionnaireResponse.questionnaire'],
    [{ ...phq9([1]), subject: { reference: 'Group/1' } }, 422, 'QuestionnaireResponse.subject.reference'],
    [{ ...phq9([1]), subject: { reference: 'Patient/999999' } }, 422, 'QuestionnaireResponse.subject'],
    [{ ...phq9([1]), modifierExtension: [{ url: 'http://x', valueBoolean: true }] }, 422, 'QuestionnaireResponse.modifierExtension'],
    // Not all nine answered: a completed PHQ-9 needs them.
    [phq9([1, 2, 3]), 422, null],
    // An answer that is not one of the item's options.
    [(() => { const b = phq9([1, 1, 1, 1, 1, 1, 1, 1, 1]); b.item[0].item[0].answer[0].valueCoding.code = 'LA-nope'; return b; })(), 422, 'QuestionnaireResponse.item'],
    [(() => { const b = phq9([1, 1, 1, 1, 1, 1, 1, 1, 1]); b.item[0].item[0].linkId = 'nope'; return b; })(), 422, 'QuestionnaireResponse.item'],
  ];
  for (const [body, status, where] of cases) {
    const before = snapshot(server);
    const r = await post(appToken, 'QuestionnaireResponse', body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.resourceType, 'OperationOutcome');
    if (where) assert.equal(r.body.issue[0].expression[0], where, JSON.stringify(r.body));
    else assert.match(r.body.issue[0].expression[0], /^QuestionnaireResponse\.item\.where\(linkId='/, JSON.stringify(r.body));
    assert.equal(snapshot(server), before);
  }
  for (const [body, status, where] of [
    [{ ...load(EXAMPLES, 'Questionnaire-gcs.json'), titel: 'x' }, 400, 'Questionnaire.titel'],
    [{ ...load(EXAMPLES, 'Questionnaire-gcs.json'), url: 'http://example.org/q1', item: [{ linkId: 'a', type: 'nonsense' }] }, 422, 'Questionnaire.item'],
    [{ ...load(EXAMPLES, 'Questionnaire-gcs.json'), url: PHQ9 }, 409, 'Questionnaire.url'],
    ['{"resourceType":"Questionnaire",', 400, null],
  ]) {
    const before = snapshot(server);
    const r = await post(adminToken, 'Questionnaire', body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.resourceType, 'OperationOutcome');
    if (where) assert.equal(r.body.issue[0].expression[0], where);
    assert.equal(snapshot(server), before);
  }
  // Search parameters cocare does not answer.
  for (const [type, params] of [['QuestionnaireResponse', { author: 'x' }], ['QuestionnaireResponse', { authored: 'about-now' }],
    ['Questionnaire', { 'url:below': 'http://x' }], ['Questionnaire', { _sort: 'date' }]]) {
    const r = await refused(fhir(readToken).search({ resourceType: type, searchParams: params }));
    assert.equal(r.status, 400, JSON.stringify(params));
    assert.equal(r.outcome.resourceType, 'OperationOutcome');
  }
  // Not found, and not another organisation's.
  const r = await refused(fhir(readToken).read({ resourceType: 'QuestionnaireResponse', id: '1' }));
  assert.equal(r.status, 404);
});

test('on PostgreSQL: a questionnaire added, answers sent, searched page by page and counted',
  { skip: !pgConninfo && 'no PostgreSQL server (run through scripts/with-postgres)' }, async () => {
    const pg = await startServer({ backend: 'pg' });
    try {
      const token = (user, scopes) => makeTokenFor(pg, user, scopes);
      const admin = fhirClient(pg, await token('admin', 'user/Questionnaire.crs'));
      const app = fhirClient(pg, await token('patient', 'patient/QuestionnaireResponse.crs'));
      const me = (await app.search({ resourceType: 'QuestionnaireResponse', searchParams: { _count: 1 } })).entry[0].resource.subject.reference.split('/')[1];
      const q = await admin.create({ resourceType: 'Questionnaire', body: load(EXAMPLES, 'Questionnaire-gcs.json') });
      assert.equal((await admin.search({ resourceType: 'Questionnaire', searchParams: { title: 'Glasgow' } })).entry[0].resource.id, q.id);
      const body = load(EXAMPLES, 'QuestionnaireResponse-gcs.json');
      body.questionnaire = `Questionnaire/${q.id}`;
      body.subject = { reference: `Patient/${me}` };
      const gcs = await app.create({ resourceType: 'QuestionnaireResponse', body });
      const sent = await app.create({ resourceType: 'QuestionnaireResponse', body: phq9([1, 1, 1, 1, 1, 1, 1, 1, 1], me) });
      assert.deepEqual(Object.values(scoreOf(sent)), [9]);
      const total = (await app.search({ resourceType: 'QuestionnaireResponse', searchParams: { _summary: 'count' } })).total;
      const { got, pages } = await all(app, 'QuestionnaireResponse', { _count: 4 });
      assert.equal(got.length, total);
      assert.equal(new Set(got.map((r) => r.id)).size, total);
      assert.equal(pages, Math.ceil(total / 4));
      const today = new Date().toISOString().slice(0, 10);
      const mine = await app.search({ resourceType: 'QuestionnaireResponse', searchParams: { authored: `ge${today}`, status: 'completed', questionnaire: `Questionnaire/${q.id}` } });
      assert.deepEqual(mine.entry.map((e) => e.resource.id), [gcs.id]);
    } finally {
      await pg.stop();
    }
  });
