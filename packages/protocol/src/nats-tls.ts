import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { TlsOptions } from "@nats-io/transport-node";
import { ConfigError } from "./config-error.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * TLS to NATS from NATS_TLS_CA (the CA that signed the server's certificate; default: the system's),
 * NATS_TLS_CERT + NATS_TLS_KEY (this process's certificate and key, for a server that verifies
 * clients: mutual TLS). Any of them makes TLS required. Every file is read and parsed here, so a
 * bad one is a ConfigError naming its variable, not a failed handshake later; undefined when none
 * is set.
 */
export async function natsTlsFromEnv(env: Env): Promise<TlsOptions | undefined> {
  const caFile = nonEmpty(env["NATS_TLS_CA"]);
  const certFile = nonEmpty(env["NATS_TLS_CERT"]);
  const keyFile = nonEmpty(env["NATS_TLS_KEY"]);
  if (caFile === undefined && certFile === undefined && keyFile === undefined) return undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(certFile === undefined ? "NATS_TLS_CERT" : "NATS_TLS_KEY", "NATS_TLS_CERT and NATS_TLS_KEY go together");
  }

  const tls: TlsOptions = {};
  if (caFile !== undefined) {
    const ca = await readPem("NATS_TLS_CA", caFile);
    certificate("NATS_TLS_CA", caFile, ca);
    tls.ca = ca;
  }
  if (certFile !== undefined && keyFile !== undefined) {
    const cert = await readPem("NATS_TLS_CERT", certFile);
    const key = await readPem("NATS_TLS_KEY", keyFile);
    const x509 = certificate("NATS_TLS_CERT", certFile, cert);
    if (!x509.checkPrivateKey(privateKey(keyFile, key))) {
      throw new ConfigError("NATS_TLS_KEY", `${keyFile} is not the key of the certificate in NATS_TLS_CERT (${certFile})`);
    }
    tls.cert = cert;
    tls.key = key;
  }
  return tls;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

async function readPem(variable: string, file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function certificate(variable: string, file: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new ConfigError(variable, `${file} is not a PEM certificate`);
  }
}

function privateKey(file: string, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new ConfigError("NATS_TLS_KEY", `${file} is not an unencrypted PEM private key`);
  }
}
