import { randomBytes } from 'node:crypto'

/**
 * Fastify's `genReqId`: 12 random hex characters. Unique across restarts and replicas (Fastify's
 * default `req-1`, `req-2`, … is not), short enough to read out from an error page, and it says
 * nothing about the request.
 */
export function newRequestId(): string {
  return randomBytes(6).toString('hex')
}
