'use strict';
// The C client over wss:// in Chromium: an HTTPS server with a certificate made at run time
// (openssl), the signaling server attached to it on /signal, and a browser that trusts that one
// certificate only (--ignore-certificate-errors-spki-list with its SPKI hash). Two clients on one
// page set up real emrtc peers through it; a server with another self-signed certificate is refused.
const https = require('https');
const { createSignalServer } = require('../../js/signal-server');
const { makeCertificate } = require('../node/tls-cert');
const {
  ERR, createProbeBed, openProbes, eventsOf, waitEvent, connect, call,
} = require('./probe');

let bed;
let page;
const stops = [];
const certs = [makeCertificate(), makeCertificate()];

/** An HTTPS server with certificate `cert` and a signaling server on /signal; returns its wss:// URL. */
async function secureSignal(cert) {
  const web = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => res.end('game'));
  await new Promise((r) => web.listen(0, '127.0.0.1', r));
  const signal = await createSignalServer({ server: web, path: '/signal', logger: () => {} });
  stops.push(async () => { await signal.close(); web.closeAllConnections(); await new Promise((r) => web.close(r)); });
  return signal.url;
}

beforeAll(async () => {
  bed = await createProbeBed(false, { args: [`--ignore-certificate-errors-spki-list=${certs[0].spki}`] });
  [page] = await openProbes(bed, 1);
});
afterAll(async () => {
  if (bed) await bed.close();
  for (const stop of stops) await stop();
  certs.forEach((c) => c.remove());
});

test('two C clients meet over wss:// and connect; a certificate the browser does not trust is refused', async () => {
  const url = await secureSignal(certs[0]);
  expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/signal$/);
  const host = await connect(bed, page, url, { automatic: true });
  expect(await call(page, 'join', host, '', 1)).toBe(ERR.OK);
  const { lobby } = await waitEvent(bed, page, host, 'lobby');
  const joiner = await connect(bed, page, url, { automatic: true });
  expect(await call(page, 'join', joiner, lobby, 1)).toBe(ERR.OK);
  const jid = (await waitEvent(bed, page, joiner, 'id')).id;
  expect(await waitEvent(bed, page, host, 'data', { timeout: 30000 })).toEqual({ ev: 'data', peer: jid, text: `hello from ${jid} to 1` });
  expect(await waitEvent(bed, page, joiner, 'data', { timeout: 30000 })).toEqual({ ev: 'data', peer: 1, text: `hello from 1 to ${jid}` });
  for (const h of [host, joiner]) {
    expect((await eventsOf(page, h)).filter((e) => e.ev === 'error' || e.ev === 'rtc_error')).toEqual([]);
    await call(page, 'destroy', h);
  }

  const untrusted = await secureSignal(certs[1]);
  const h = await page.evaluate((u) => window.probe.create(u, 0), untrusted);
  await waitEvent(bed, page, h, 'closed');
  expect((await eventsOf(page, h)).map((e) => e.ev + (e.code !== undefined ? ` ${e.code}` : ''))).toEqual([`error ${ERR.CANT_CONNECT}`, 'closed 1006']);
  await call(page, 'destroy', h);
  expect(await call(page, 'liveSignals')).toBe(0);
});
