import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** Certificates made on the spot (ECDSA P-256) for tests of TLS connections, written as PEM files. */

x509.cryptoProvider.set(webcrypto);

const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

export interface CertificateAuthority {
  certificate: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

/** A certificate and key as PEM files. */
export interface PemPair {
  certFile: string;
  keyFile: string;
}

function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function createAuthority(name: string): Promise<CertificateAuthority> {
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: SIGNING,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys };
}

export function writeAuthority(authority: CertificateAuthority, file: string): string {
  writeFileSync(file, authority.certificate.toString('pem'));
  return file;
}

/**
 * A leaf certificate signed by the authority, for a server (with the given DNS names and IP
 * addresses) or a client; `validDays` below zero makes one that has already expired.
 */
export async function issueCertificate(
  authority: CertificateAuthority,
  dir: string,
  name: string,
  options: { role: 'server' | 'client'; dnsNames?: string[]; ips?: string[]; validDays?: number },
): Promise<PemPair> {
  const keys = await newKeys();
  const validDays = options.validDays ?? 30;
  const notAfter = new Date(Date.now() + validDays * DAY_MS);
  const alternativeNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    subject: `CN=${name}`,
    issuer: authority.certificate.subject,
    publicKey: keys.publicKey,
    signingKey: authority.keys.privateKey,
    signingAlgorithm: SIGNING,
    notBefore: new Date(Math.min(Date.now(), notAfter.getTime()) - DAY_MS),
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(
        [options.role === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      await x509.AuthorityKeyIdentifierExtension.create(authority.keys.publicKey),
      ...(alternativeNames.length ? [new x509.SubjectAlternativeNameExtension(alternativeNames)] : []),
    ],
  });
  const pair = { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}-key.pem`) };
  writeFileSync(pair.certFile, certificate.toString('pem'));
  writeFileSync(pair.keyFile, await keyPem(keys.privateKey), { mode: 0o600 });
  return pair;
}
