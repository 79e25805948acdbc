// English and Spanish are complete: every message of every page (C
// sources and templates) has a Spanish translation in po/es.po, with the
// same slots, and nothing is marked fuzzy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, parsePo } from '../../scripts/po-update.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const po = parsePo(readFileSync(join(root, 'po', 'es.po'), 'utf8'));
const msgs = collect();

const slots = (s) => [...s.matchAll(/%[a-z]+|\{\{[^}]*\}\}/g)].map((m) => m[0]).sort();

test('every message has a Spanish translation', () => {
  const missing = [...msgs.keys()].filter((id) => {
    const e = po.get(id);
    return !e || e.fuzzy || !e.str.length || e.str.some((s) => !s);
  });
  assert.deepEqual(missing, [], `${missing.length} messages without Spanish`);
});

test('translations keep the {{…}} and %… parts of the English text', () => {
  const wrong = [];
  for (const id of msgs.keys()) {
    const e = po.get(id);
    if (!e) continue;
    for (const s of e.str)
      if (JSON.stringify(slots(s)) !== JSON.stringify(slots(id)) &&
          !(e.plural && JSON.stringify(slots(s)) === JSON.stringify(slots(e.plural))))
        wrong.push(`${id} -> ${s}`);
  }
  assert.deepEqual(wrong, []);
});

test('plural messages have both Spanish forms', () => {
  for (const [id, { plural }] of msgs) {
    if (!plural) continue;
    assert.equal(po.get(id)?.str.length, 2, id);
  }
});
