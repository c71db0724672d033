/**
 * A throwaway self-signed TLS certificate for the fake cluster, made with the openssl CLI. It
 * names IP:127.0.0.1 and DNS:localhost so that a client which trusts it (via `ca`, or
 * SSL_CERT_FILE pointing at `certFile`) verifies the fake exactly as it would verify a real
 * cluster: no "insecure" switch is needed. One certificate is made per process and reused.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** PEM file of the certificate: what a client adds to its trusted CAs. */
  certFile: string;
  keyFile: string;
}

let cached: Promise<TestCertificate> | undefined;

/** The process's test certificate, generated on first use. */
export function testCertificate(): Promise<TestCertificate> {
  if (!cached) {
    cached = generate();
    cached.catch(() => (cached = undefined));
  }
  return cached;
}

async function generate(): Promise<TestCertificate> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arvados-fake-tls-'));
  // The files are temporary; remove them when the process ends, whatever the test outcome.
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile,
  ]);
  return { certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8'), certFile, keyFile };
}
