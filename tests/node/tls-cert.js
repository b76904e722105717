'use strict';
// A self-signed certificate for 127.0.0.1 made with openssl at run time, and its SPKI hash (what
// Chromium's --ignore-certificate-errors-spki-list pins, so only that browser trusts it).
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

/** Makes cert.pem and key.pem in a new temporary folder: {dir, certPath, keyPath, cert, key, spki}. */
function makeCertificate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emrtc-tls-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
  const pub = execFileSync('openssl', ['x509', '-in', certPath, '-pubkey', '-noout']);
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
  const spki = require('crypto').createHash('sha256').update(der).digest('base64');
  return {
    dir, certPath, keyPath, cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath), spki,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

module.exports = { makeCertificate };
