/**
 * Throw-away certificates, made at test time: a CA, a server certificate it signs for 127.0.0.1
 * and localhost, a client certificate it signs (mutual TLS), and an unrelated CA that vouches for
 * none of them (the wrong-CA tests).
 */
import { generate } from 'selfsigned';

export interface Certificates {
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  otherCa: string;
}

const ec = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

async function authority(name: string): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    ...ec,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

let made: Promise<Certificates> | undefined;

/** The certificates, made once per test file. */
export function certificates(): Promise<Certificates> {
  made ??= (async () => {
    const ca = await authority('Petrichor test CA');
    const server = await generate([{ name: 'commonName', value: 'localhost' }], {
      ...ec,
      ca,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ],
    });
    const client = await generate([{ name: 'commonName', value: 'petrichor test client' }], {
      ...ec,
      ca,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true },
        { name: 'extKeyUsage', clientAuth: true },
      ],
    });
    const other = await authority('Some other CA');
    return {
      ca: ca.cert,
      server: { cert: server.cert, key: server.private },
      client: { cert: client.cert, key: client.private },
      otherCa: other.cert,
    };
  })();
  return made;
}
