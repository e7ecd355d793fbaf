import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TlsFiles {
  /** The CA that signed the server's and the client's certificates. */
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  /** A client certificate signed by another CA, which the server does not trust. */
  stranger: { cert: string; key: string };
}

/** A CA, a server certificate for 127.0.0.1 and localhost, and client certificates, made with `openssl` in `dir`. */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  const path = (name: string) => join(dir, name);
  await writeFile(path("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  await writeFile(path("client.ext"), "extendedKeyUsage=clientAuth\n");
  await selfSigned("ca", "switchyard-test-ca");
  await selfSigned("other-ca", "another-ca");
  await signed("server", "localhost", "ca", "server.ext");
  await signed("client", "switchyard-client", "ca", "client.ext");
  await signed("stranger", "stranger", "other-ca", "client.ext");
  return {
    ca: path("ca.pem"),
    server: { cert: path("server.pem"), key: path("server.key") },
    client: { cert: path("client.pem"), key: path("client.key") },
    stranger: { cert: path("stranger.pem"), key: path("stranger.key") },
  };

  async function selfSigned(name: string, cn: string): Promise<void> {
    await openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path(`${name}.key`), "-out", path(`${name}.pem`), "-days", "1", "-subj", `/CN=${cn}`);
  }

  async function signed(name: string, cn: string, ca: string, ext: string): Promise<void> {
    await openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", path(`${name}.key`), "-out", path(`${name}.csr`), "-subj", `/CN=${cn}`);
    await openssl("x509", "-req", "-in", path(`${name}.csr`), "-CA", path(`${ca}.pem`), "-CAkey", path(`${ca}.key`), "-CAcreateserial", "-out", path(`${name}.pem`), "-days", "1", "-extfile", path(ext));
  }
}

async function openssl(...args: string[]): Promise<void> {
  try {
    await run("openssl", args);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(e.code === "ENOENT" ? "openssl not found: install it (apt-get install openssl)" : `openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

/** nats-server's `tls {}` block for these files; `verify: true` asks every client for a certificate signed by the CA. */
export function serverTlsConfig(files: TlsFiles, verify: boolean): string {
  return `tls { cert_file: ${JSON.stringify(files.server.cert)}, key_file: ${JSON.stringify(files.server.key)}, ca_file: ${JSON.stringify(files.ca)}, verify: ${verify}, timeout: 2 }`;
}
