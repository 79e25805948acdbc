// scripts/check-deps (issue 9): it passes on the repository, quickly and
// silently, and fails naming what is wrong when scripts/deps leaves out a
// package the Makefile needs, when the Makefile or a script starts using
// something the table does not know, or when the table names the wrong
// package. Each failure runs on a copy of scripts/deps, scripts/check-deps
// and the Makefile in a temp directory. No server, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync, rmSync, mkdirSync, copyFileSync, readFileSync, writeFileSync,
  chmodSync, existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function checkDeps(dir, { user } = {}) {
  const script = join(dir, 'scripts', 'check-deps');
  const env = { ...process.env };
  delete env.COCARE_ROOT;
  const opts = { encoding: 'utf8', env, cwd: dir };
  if (user)
    return spawnSync('runuser', ['-u', user, '--', script], opts);
  return spawnSync(script, [], opts);
}

// A copy of the three files in a temp directory, each changed by `edit`
// (file name -> function of its text), then check-deps run on it.
function withCopy(edit, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-deps-'));
  try {
    mkdirSync(join(dir, 'scripts'));
    for (const f of ['scripts/deps', 'scripts/check-deps', 'Makefile']) {
      const text = readFileSync(join(root, f), 'utf8');
      writeFileSync(join(dir, f), edit[f] ? edit[f](text) : text);
    }
    chmodSync(join(dir, 'scripts', 'deps'), 0o755);
    chmodSync(join(dir, 'scripts', 'check-deps'), 0o755);
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function removeWord(text, word) {
  const out = text.replace(new RegExp(`(\\s)${word}(?=\\s)`), '$1');
  assert.notEqual(out, text, `${word} is in the text`);
  return out;
}

// About 0.4 s on an idle 2-core machine, with one dpkg -S call for every
// file; the bound leaves room for a loaded machine and still catches a
// dpkg call per package (0.2 s each).
test('the repository passes, silently and quickly', () => {
  const start = Date.now();
  const r = checkDeps(root);
  const ms = Date.now() - start;
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '');
  assert.equal(r.status, 0);
  assert.ok(ms < 8000, `check-deps took ${ms} ms`);
});

test('scripts/deps without libcurl4-openssl-dev fails naming it', () => {
  withCopy({ 'scripts/deps': (t) => removeWord(t, 'libcurl4-openssl-dev') }, (dir) => {
    const r = checkDeps(dir);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "check-deps: pkg-config module 'libcurl' (used by the " +
      "Makefile) needs the Debian package 'libcurl4-openssl-dev', which " +
      'scripts/deps does not install; add it there\n');
  });
});

test('a pkg-config module the table does not know fails naming it', () => {
  const edit = {
    Makefile: (t) => t.replace(/^PKGS = (.*)$/m, 'PKGS = $1 libcrypt cocare-no-such-module'),
  };
  withCopy(edit, (dir) => {
    const r = checkDeps(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^check-deps: pkg-config module 'cocare-no-such-module' \(used by the Makefile\) is not in the table in scripts\/check-deps and is not installed;/m);
    // libcrypt.pc comes with build-essential (libc6-dev -> libcrypt-dev).
    assert.match(r.stderr, /^check-deps: pkg-config module 'libcrypt' \(used by the Makefile\) is not in the table in scripts\/check-deps; dpkg says \S+\/libcrypt\.pc comes from 'libcrypt-dev'/m);
  });
});

test('a command the table does not know fails naming it and its user', () => {
  withCopy({}, (dir) => {
    mkdirSync(join(dir, 'bench'));
    writeFileSync(join(dir, 'bench', 'extra'),
      '#!/usr/bin/env bash\nset -eu\nn=$(cocare-no-such-tool --count "$1" | wc -l)\n');
    mkdirSync(join(dir, 'tests', 'e2e'), { recursive: true });
    // Split so that check-deps, scanning this file, does not see the call.
    const call = 'execFileSync' + "('cocare-no-such-viewer', ['a.pdf']);\n";
    writeFileSync(join(dir, 'tests', 'e2e', 'extra.test.mjs'),
      "import { execFileSync } from 'node:child_process';\n" + call);
    const r = checkDeps(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^check-deps: command 'cocare-no-such-tool' \(used by bench\/extra\) is not in the table in scripts\/check-deps and is not installed;/m);
    assert.match(r.stderr, /^check-deps: command 'cocare-no-such-viewer' \(used by tests\/e2e\/extra\.test\.mjs\) is not in the table/m);
    // wc is coreutils: Essential, so it needs no entry.
    assert.doesNotMatch(r.stderr, /'wc'/);
  });
});

test('a table entry naming the wrong package fails', { skip: !existsSync('/usr/bin/sqlite3') && 'no sqlite3' }, () => {
  const edit = {
    'scripts/check-deps': (t) => {
      const out = t.replace(/^cmd +sqlite3 +sqlite3$/m, 'cmd  sqlite3        wrk');
      assert.notEqual(out, t);
      return out;
    },
  };
  withCopy(edit, (dir) => {
    const r = checkDeps(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^check-deps: the table in scripts\/check-deps says command 'sqlite3' \(used by [^)]*\) comes from 'wrk', but dpkg says \/usr\/bin\/sqlite3 comes from 'sqlite3'; correct the table$/m);
  });
});

test('it works for a user other than root', { skip: process.getuid() !== 0 && 'not root' }, () => {
  withCopy({}, (dir) => {
    chmodSync(dir, 0o755);
    const r = checkDeps(dir, { user: 'nobody' });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });
});
