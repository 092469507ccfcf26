import { randomUUID } from 'node:crypto'

/**
 * Fastify's `genReqId`: 12 random hex characters. Unique across restarts and replicas (Fastify's
 * default `req-1`, `req-2`, … is not), short enough to read out from an error page, and it says
 * nothing about the request. The id only correlates log lines, audit records and error pages;
 * it is never a credential.
 *
 * Taken from a random UUID because Node.js draws those from a cache of random bytes refilled
 * 128 UUIDs at a time: `randomBytes(6)` went to the system's generator on every request, which
 * cost more than the rest of the id's work together.
 */
export function newRequestId(): string {
  const uuid = randomUUID()
  // `xxxxxxxx-xxxx-4xxx-…`: the first twelve hex digits are all random (the version digit comes after).
  return uuid.slice(0, 8) + uuid.slice(9, 13)
}
