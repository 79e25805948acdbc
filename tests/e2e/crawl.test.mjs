// Every page each demo role can reach, on SQLite and on PostgreSQL: no
// page answers with a server error, every page is in the layout with its
// language, and the personal ones are not cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, pgConninfo } from './lib.mjs';

const ROLES = ['patient', 'caregiver', 'nurse', 'doctor', 'reception', 'admin', 'privacy', 'improvement', 'facilitator', 'researcher'];
const PER_ROLE = 40;

async function crawl(server, user) {
  const c = new Client(server.url);
  await c.signIn(user);
  const seen = new Set(['/']);
  const queue = ['/'];
  const visited = [];
  while (queue.length && visited.length < PER_ROLE) {
    const path = queue.shift();
    const res = await c.request(path);
    visited.push(path);
    assert.ok(res.status < 500, `${user} ${path}: ${res.status}`);
    if (res.status !== 200) continue;
    assert.match(res.headers.get('cache-control') || '', /no-store/, `${user} ${path}`);
    // Downloads (the crisis plan's PDF) are not pages.
    if (!(res.headers.get('content-type') || '').startsWith('text/html')) continue;
    assert.match(res.text_, /<html lang="(en|es)">/, `${user} ${path}`);
    assert.match(res.text_, /<main id="main"/, `${user} ${path}`);
    for (const m of res.text_.matchAll(/href="([^"#:]+)"/g)) {
      // Relative links too (the care plan's), resolved like a browser.
      const url = new URL(m[1].replace(/&amp;/g, '&'), server.url + path);
      const href = url.pathname + url.search;
      if (href.startsWith('/static/') || seen.has(href)) continue;
      seen.add(href);
      queue.push(href);
    }
  }
  return visited.length;
}

for (const backend of ['sqlite', 'pg']) {
  test(`every reachable page works for every role (${backend})`, { skip: backend === 'pg' && !pgConninfo && 'no PostgreSQL server (run through make e2e)' }, async () => {
    const server = await startServer({ backend });
    try {
      let pages = 0;
      for (const user of ROLES) pages += await crawl(server, user);
      assert.ok(pages > 60, `only ${pages} pages visited`);
    } finally {
      await server.stop();
    }
  });
}
