/** The HTTP requests the bench and the load test send. */
import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { UserSchema } from "@switchyard/contracts";
import type autocannon from "autocannon";

export interface Scenario {
  readonly name: string;
  readonly requests: autocannon.Request[];
}

export const ping: Scenario = { name: "GET / (Ping)", requests: [{ method: "GET", path: "/" }] };

// Emails must be unique in the shared store: a per-process run id plus a counter never repeats,
// even against a long-running stack that kept earlier runs' users.
const runId = randomUUID().slice(0, 8);
let serial = 0;

export const createUser: Scenario = {
  name: "POST /users",
  requests: [
    {
      method: "POST",
      path: "/users",
      headers: { "content-type": "application/json" },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ firstName: "Jane", lastName: "Doe", email: `jane.${runId}.${serial++}@example.com` }),
      }),
    },
  ],
};

/** The same route with a Protobuf body and reply: passthrough, no decode in between. */
export const createUserProtobuf: Scenario = {
  name: "POST /users (Protobuf)",
  requests: [
    {
      method: "POST",
      path: "/users",
      headers: { "content-type": "application/x-protobuf", accept: "application/x-protobuf" },
      setupRequest: (request) => ({
        ...request,
        body: Buffer.from(
          toBinary(UserSchema, create(UserSchema, { firstName: "Jane", lastName: "Doe", email: `jane.${runId}.${serial++}@example.com` })),
        ),
      }),
    },
  ],
};
