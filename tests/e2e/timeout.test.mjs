// A request whose body is still arriving after request_timeout gets 408
// once it is in, and changes nothing; the server keeps serving others
// meanwhile. (A client that goes quiet is closed by the idle timeout.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, Client, snapshot } from './lib.mjs';

let server;
before(async () => { server = await startServer({ extraEnv: { COCARE_REQUEST_TIMEOUT: '2' } }); });
after(async () => { await server?.stop(); });

test('a slow body gets 408 and nothing changes', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf('/account');
  const before = snapshot(server);
  const body = `csrf=${csrf}&language=es`;
  const { hostname, port } = new URL(server.url);
  const answer = await new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname);
    let data = '';
    let sent = 0;
    sock.on('connect', () => {
      sock.write(`POST /account/language HTTP/1.1\r\nHost: x\r\nCookie: ${c.cookieHeader()}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`);
      const timer = setInterval(() => {
        if (sent < body.length && !sock.destroyed) sock.write(body[sent++]);
      }, 3000 / body.length);
      sock.on('close', () => { clearInterval(timer); resolve(data); });
    });
    sock.on('data', (d) => { data += d; if (/\r\n\r\n[\s\S]*<\/html>/.test(data)) sock.destroy(); });
    sock.on('error', reject);
  });
  assert.match(answer, /^HTTP\/1\.1 408/);
  assert.match(answer, /took too long/);
  assert.equal(snapshot(server), before);
  // Others are served as usual.
  const res = await c.request('/');
  assert.equal(res.status, 200);
});
