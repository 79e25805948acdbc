#!/usr/bin/env node
// Collects every message people can see: N_(), tr(), trn() and the
// message argument of problems_add() in src/, and every {{#_}}...{{/_}}
// section in templates/. With --write it merges them into po/es.po
// (new ones with an empty msgstr, gone ones dropped); without, it lists
// what po/es.po lacks. The i18n test imports collect() and parsePo().
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function walk(dir, ext, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, ext, out);
    else if (ext.some((e) => name.endsWith(e))) out.push(p);
  }
  return out.sort();
}

// C string literals from position i: adjacent literals are joined.
function readLiterals(src, i) {
  let s = '';
  let found = false;
  for (;;) {
    while (i < src.length && /\s/.test(src[i])) i++;
    if (src[i] !== '"') break;
    i++;
    while (i < src.length && src[i] !== '"') {
      if (src[i] === '\\') {
        const c = src[i + 1];
        s += c === 'n' ? '\n' : c === 't' ? '\t' : c;
        i += 2;
      } else {
        s += src[i++];
      }
    }
    i++;
    found = true;
  }
  return found ? { text: s, end: i } : null;
}

// Skips `n` arguments after an opening parenthesis at i.
function skipArgs(src, i, n) {
  let depth = 0;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '"') { const r = readLiterals(src, i); i = r.end - 1; continue; }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0 && --n === 0) return i + 1;
  }
  return -1;
}

export function collect() {
  const msgs = new Map();	// msgid -> { plural, where }
  const add = (id, plural, where) => { if (id && !msgs.has(id)) msgs.set(id, { plural, where }); };
  for (const file of walk(join(root, 'src'), ['.c', '.h'])) {
    const src = readFileSync(file, 'utf8');
    const rel = file.slice(root.length + 1);
    const re = /\b(N_|tr|trn|problems_add)\s*\(/g;
    let m;
    while ((m = re.exec(src))) {
      let i = m.index + m[0].length;
      if (m[1] === 'tr' || m[1] === 'trn') i = skipArgs(src, i, 1);
      if (m[1] === 'problems_add') i = skipArgs(src, i, 2);
      if (i < 0) continue;
      while (/\s/.test(src[i])) i++;
      if (src.startsWith('N_(', i)) continue;	// counted as N_ itself
      const a = readLiterals(src, i);
      if (!a) continue;
      let plural = null;
      if (m[1] === 'trn') {
        let j = a.end;
        while (/\s/.test(src[j])) j++;
        if (src[j] === ',') plural = readLiterals(src, j + 1)?.text ?? null;
      }
      add(a.text, plural, rel);
    }
  }
  for (const file of walk(join(root, 'templates'), ['.html'])) {
    const src = readFileSync(file, 'utf8');
    const re = /\{\{#_\}\}([\s\S]*?)\{\{\/_\}\}/g;
    let m;
    while ((m = re.exec(src))) add(m[1], null, file.slice(root.length + 1));
  }
  return msgs;
}

function unquote(s) {
  return JSON.parse(s.replace(/\\t/g, '\\t'));
}

// A small .po reader for the test: msgid -> { str: [forms], fuzzy }.
export function parsePo(text) {
  const out = new Map();
  let cur = null, field = null, fuzzy = false;
  const flush = () => {
    if (cur && cur.msgid !== '') out.set(cur.msgid, { str: cur.str, plural: cur.plural, fuzzy: cur.fuzzy });
    cur = null;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#,') && line.includes('fuzzy')) { fuzzy = true; continue; }
    if (line.startsWith('#') || !line.trim()) { if (!line.trim()) { flush(); fuzzy = false; } continue; }
    let m;
    if ((m = line.match(/^msgid (".*")$/))) { flush(); cur = { msgid: unquote(m[1]), str: [], plural: null, fuzzy }; field = 'msgid'; }
    else if ((m = line.match(/^msgid_plural (".*")$/))) { cur.plural = unquote(m[1]); field = 'plural'; }
    else if ((m = line.match(/^msgstr (".*")$/))) { cur.str[0] = unquote(m[1]); field = 0; }
    else if ((m = line.match(/^msgstr\[(\d)\] (".*")$/))) { cur.str[+m[1]] = unquote(m[2]); field = +m[1]; }
    else if ((m = line.match(/^(".*")$/)) && cur) {
      const v = unquote(m[1]);
      if (field === 'msgid') cur.msgid += v;
      else if (field === 'plural') cur.plural += v;
      else cur.str[field] += v;
    }
  }
  flush();
  return out;
}

function quote(s) {
  const esc = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t');
  if (!esc.includes('\n')) return `"${esc}"`;
  return '""\n' + esc.split('\n').map((l, i, a) => `"${l}${i < a.length - 1 ? '\\n' : ''}"`).filter((l) => l !== '""').join('\n');
}

const HEADER = `# Spanish translation of cocare.
msgid ""
msgstr ""
"Project-Id-Version: cocare\\n"
"Language: es\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const poPath = join(root, 'po', 'es.po');
  const po = parsePo(readFileSync(poPath, 'utf8'));
  const msgs = collect();
  if (process.argv.includes('--write')) {
    let text = HEADER;
    for (const [id, { plural, where }] of msgs) {
      const old = po.get(id);
      text += `\n#: ${where}\n`;
      if (old?.fuzzy) text += '#, fuzzy\n';
      text += `msgid ${quote(id)}\n`;
      if (plural) {
        text += `msgid_plural ${quote(plural)}\n`;
        text += `msgstr[0] ${quote(old?.str[0] ?? '')}\nmsgstr[1] ${quote(old?.str[1] ?? '')}\n`;
      } else {
        text += `msgstr ${quote(old?.str[0] ?? '')}\n`;
      }
    }
    writeFileSync(poPath, text);
  }
  const missing = [...msgs.keys()].filter((id) => !po.get(id)?.str.every((s) => s));
  console.log(`${msgs.size} messages, ${missing.length} without Spanish`);
  for (const id of missing.slice(0, 20)) console.log('  ' + JSON.stringify(id));
}
