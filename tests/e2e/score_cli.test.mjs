// `cocare score`: FHIR QuestionnaireResponses in (one document on
// standard input, NDJSON from a file), one JSON line out per response;
// a response that does not fit its questionnaire gets an error line, a
// message naming its line and exit status 1 while the rest are scored;
// a questionnaire written elsewhere (the HL7 SDC PHQ-9) is scored by the
// library's published rules. No database, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binary } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const instruments = join(root, 'tests', 'data', 'instruments');
const shared = join(root, '..', 'shared', 'testdata', 'fhir-questionnaires');
const LOINC = 'http://loinc.org';
const FREQ = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];

function score(args, input) {
  return spawnSync(binary, ['score', ...args], { encoding: 'utf8', input, cwd: root });
}

function lines(stdout) {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// A response to the test PHQ-9 (tests/data/instruments/phq-9.json) with
// item values 0-3.
function phq9(id, values) {
  return {
    resourceType: 'QuestionnaireResponse',
    id,
    questionnaire: 'https://cocare.org/fhir/Questionnaire/phq-9',
    status: 'completed',
    item: values.map((v, i) => ({
      linkId: `q${i + 1}`,
      answer: [{ valueCoding: { system: LOINC, code: FREQ[v] } }],
    })),
  };
}

test('one pretty-printed document on standard input', () => {
  // 1+1+2+2+1+1+1+1+0 = 10: moderate (Kroenke 2001).
  const doc = JSON.stringify(phq9('a', [1, 1, 2, 2, 1, 1, 1, 1, 0]), null, 2);
  const r = score(['--instruments', instruments], doc);
  assert.equal(r.status, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], {
    response: 'a',
    line: 1,
    questionnaire: 'https://cocare.org/fhir/Questionnaire/phq-9',
    instrument: 'phq-9',
    scores: { total: { value: 10, band: 'moderate', label: 'Moderate depression' } },
    flags: [],
  });
});

test('NDJSON from a file: one line out per line in, by line number', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-score-'));
  try {
    const file = join(dir, 'responses.ndjson');
    writeFileSync(file, [
      JSON.stringify(phq9('low', [0, 0, 0, 0, 0, 0, 0, 0, 0])),
      '',
      JSON.stringify(phq9('high', [3, 3, 3, 3, 3, 3, 3, 3, 1])),
      JSON.stringify({ ...phq9('partial', [1, 1, 1, 1]) }),
    ].join('\n') + '\n');
    const r = score(['--instruments', instruments, file]);
    assert.equal(r.status, 0, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(out.map((o) => [o.response, o.line, o.file]),
      [['low', 1, file], ['high', 3, file], ['partial', 4, file]]);
    assert.deepEqual(out[0].scores.total, { value: 0, band: 'minimal', label: 'Minimal depression' });
    // 8 x 3 + 1 = 25: severe; item 9 raises the urgent self-harm flag.
    assert.equal(out[1].scores.total.value, 25);
    assert.equal(out[1].scores.total.band, 'severe');
    assert.deepEqual(out[1].flags, [{
      code: 'self-harm', label: 'Thoughts of self-harm (item 9)', item: 'q9', value: 1, urgent: true,
    }]);
    assert.deepEqual(out[2].scores.total, {
      value: null, reason: '4 of 9 items answered; all 9 are needed',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a response that does not fit: an error line, a message, exit 1', () => {
  const bad = phq9('bad', [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  bad.item[4].answer[0].valueCoding.code = 'LA9999-9';
  const unknown = { ...phq9('stranger', [0]), questionnaire: 'https://example.org/Questionnaire/x' };
  const extra = phq9('extra', [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  extra.item.push({ linkId: 'q10', answer: [{ valueString: 'hello' }] });
  const input = [
    JSON.stringify(phq9('fine', [1, 0, 0, 0, 0, 0, 0, 0, 0])),
    JSON.stringify(bad),
    JSON.stringify(unknown),
    '{"resourceType": "QuestionnaireResponse", ',
    JSON.stringify(extra),
    '[1, 2]',
    'not json',
  ].join('\n');
  const r = score(['--instruments', instruments], input);
  assert.equal(r.status, 1);
  const out = lines(r.stdout);
  assert.equal(out.length, 7);
  assert.equal(out[0].scores.total.value, 1, 'the good response is still scored');
  assert.equal(out[1].error, "item 'q5': the answer is not one of its options");
  assert.equal(out[1].response, 'bad');
  assert.equal(out[1].scores, undefined);
  assert.equal(out[2].error, "unknown questionnaire 'https://example.org/Questionnaire/x'");
  assert.match(out[3].error, /^not JSON/);
  assert.equal(out[4].error, "item 'q10' is not in the questionnaire");
  assert.equal(out[5].error, 'not a JSON object');
  assert.equal(out[6].error, 'not a JSON object');
  assert.deepEqual(out.map((o) => o.line), [1, 2, 3, 4, 5, 6, 7]);
  assert.match(r.stderr, /cocare score: line 2: item 'q5': the answer is not one of its options/);
  assert.match(r.stderr, /cocare score: line 3: unknown questionnaire/);
  assert.match(r.stderr, /cocare score: line 5: item 'q10' is not in the questionnaire/);
});

test('a document over 1 MiB is refused and said so', () => {
  const big = phq9('big', [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  big.text = { status: 'generated', div: 'x'.repeat(1 << 20) };
  const input = JSON.stringify(big) + '\n' + JSON.stringify(phq9('next', [0, 0, 0, 0, 0, 0, 0, 0, 2]));
  const r = score(['--instruments', instruments], input);
  assert.equal(r.status, 1);
  const out = lines(r.stdout);
  assert.equal(out[0].error, 'the document is larger than 1 MiB (the limit)');
  assert.equal(out[1].response, 'next');
  assert.equal(out[1].scores.total.value, 2);
  assert.match(r.stderr, /line 1: the document is larger than 1 MiB/);
});

test('--questionnaire: the HL7 SDC PHQ-9 scored by the published rules', () => {
  // Its answer list gives "Nearly every day" 4 (PHQ-9: 3) and its
  // response stores 13; answered 0,0,0,1,2,1,3,2,1 the PHQ-9 total is 10.
  const r = score(['--questionnaire', join(shared, 'sdc-phq9-questionnaire.json'), '--as', 'phq-9',
    join(shared, 'sdc-phq9-questionnaireresponse.json')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: answer 'Nearly every day' has the value 4 in this file; the published value is 3 \(9 items\)/);
  const [out] = lines(r.stdout);
  assert.equal(out.response, 'questionnaireresponse-sdc-profile-example-PHQ9');
  assert.equal(out.instrument, 'phq-9');
  assert.equal(out.scores.total.value, 10);
  assert.equal(out.scores.total.band, 'moderate');
  assert.deepEqual(out.flags.map((f) => [f.code, f.item, f.value, f.urgent]),
    [['self-harm', 'H1/T1/Q9', 1, true]]);

  // Without --as it matches nothing, so it has no scores.
  const plain = score(['--questionnaire', join(shared, 'sdc-phq9-questionnaire.json'),
    join(shared, 'sdc-phq9-questionnaireresponse.json')]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(lines(plain.stdout)[0].scores, {});
  assert.match(plain.stderr, /no library instrument matches/);
});

test('--questionnaire refusals and --help', () => {
  let r = score(['--questionnaire', join(shared, 'sdc-phq9-questionnaire.json'), '--as', 'nope'], '');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no instrument 'nope' in the library/);
  r = score(['--questionnaire', join(root, '..', 'shared', 'testdata', 'fhir-r4-examples',
    'Questionnaire-phq-9-questionnaire.json')], '');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot score it as 'phq-9': the file has no item with code '44260-8'/);
  r = score(['--bogus'], '');
  assert.equal(r.status, 2);
  r = score(['--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: cocare score/);
});

// The instruments' published worked examples (tests/data/scoring-cases.json,
// each citing its rule), as FHIR responses to the library's own files,
// scored in one run of `cocare score`.
test('the library instruments score their published worked examples', async () => {
  const { readFileSync } = await import('node:fs');
  const cases = JSON.parse(readFileSync(join(root, 'tests', 'data', 'scoring-cases.json'), 'utf8'));
  const files = {};
  const load = (id) => (files[id] ||= JSON.parse(readFileSync(join(root, 'instruments', `${id}.json`), 'utf8')));
  // The answer to one item as FHIR: the option with that code, else a number.
  const answer = (item, value) => {
    const opt = (item.answerOption || []).find((o) => o.valueCoding && o.valueCoding.code === String(value));
    if (opt) return { valueCoding: { system: opt.valueCoding.system, code: opt.valueCoding.code } };
    return item.type === 'decimal' ? { valueDecimal: Number(value) } : { valueInteger: Number(value) };
  };
  // Items nested as the questionnaire nests them, answered ones only.
  const nest = (items, answers) => items.flatMap((it) => {
    const inner = nest(it.item || [], answers);
    if (it.linkId in answers) return [{ linkId: it.linkId, answer: [answer(it, answers[it.linkId])] }];
    return inner.length ? [{ linkId: it.linkId, item: inner }] : [];
  });
  const ndjson = cases.map((c, i) => JSON.stringify({
    resourceType: 'QuestionnaireResponse', id: `case-${i}`, status: 'completed',
    questionnaire: load(c.instrument).url, item: nest(load(c.instrument).item, c.answers),
  })).join('\n') + '\n';
  const r = score([], ndjson);
  assert.equal(r.status, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out.length, cases.length);
  cases.forEach((c, i) => {
    const got = out[i];
    assert.equal(got.response, `case-${i}`);
    assert.equal(got.instrument, c.instrument, c.cite);
    for (const [name, value] of Object.entries(c.expect.scores)) {
      const s = got.scores[name];
      if (value === null) assert.equal(s.value, null, `${c.cite}: ${name} not computed`);
      else assert.ok(Math.abs(s.value - value) < 0.01, `${c.cite}: ${name} = ${s.value}, expected ${value}`);
    }
    for (const [name, band] of Object.entries(c.expect.bands || {}))
      assert.equal(got.scores[name].band, band, `${c.cite}: band of ${name}`);
    assert.deepEqual((got.flags || []).map((f) => f.code).sort(), [...(c.expect.flags || [])].sort(), c.cite);
  });
});
