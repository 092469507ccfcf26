import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

/**
 * One line per request at info: `request completed`, with the method, the URL (query values
 * redacted by the `req` serializer), the status and the time taken. Fastify's own
 * `incoming request` line moves to debug: at info it doubled every request's lines (and their
 * cost, a tenth of the server's CPU on a sign-in) without saying anything the completed line
 * does not. A route's `logLevel` still applies (the probes log at warn). Errors are logged as
 * Fastify logs them.
 */
export class RequestLines extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return
    if (error) {
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      )
      return
    }
    reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
  }
}
