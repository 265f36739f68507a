import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Reading and checking the PEM files that TLS settings name, so that a wrong file fails at start-up
 * with the variable's name rather than later inside a TLS handshake. Messages never quote a key.
 */

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_BLOCK = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

export class PemError extends Error {
  override readonly name = 'PemError';
}

function readText(path: string): string {
  if (!existsSync(path)) throw new PemError(`no file at ${path}`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new PemError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The certificates in a PEM file, first one first; throws a PemError when there is none or one is broken. */
export function readCertificates(path: string): X509Certificate[] {
  const blocks = readText(path).match(CERTIFICATE_BLOCK);
  if (!blocks) throw new PemError(`${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new PemError(
        `certificate #${index + 1} in ${path} is not a valid certificate: ${(error as Error).message}`,
      );
    }
  });
}

/** The private key in a PEM file; throws a PemError when it is not an unencrypted PEM private key. */
export function readPrivateKey(path: string): KeyObject {
  const text = readText(path);
  if (!PRIVATE_KEY_BLOCK.test(text))
    throw new PemError(`${path} holds no PEM private key (-----BEGIN PRIVATE KEY-----)`);
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    // OpenSSL's reason (say "bad decrypt") names no key material.
    const reason = (error as { reason?: string }).reason ?? (error as { code?: string }).code ?? 'unreadable';
    throw new PemError(`${path} is not an unencrypted PEM private key (${reason})`);
  }
}
