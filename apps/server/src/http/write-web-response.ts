import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

/** What a body without a `Content-Type` is sent as (the SDK always sets one; kept for safety). */
const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8'

/** How {@link writeWebResponse} sends an event stream. */
export interface EventStreamWriting {
  /**
   * Send the headers only with the first event, so that the usual answer to a POST (headers,
   * one event, end) leaves in one write. A GET stream may stay silent for long: its headers go
   * at once. (The transport's keep-alive comments bound the wait either way.)
   */
  readonly headersWithFirstEvent: boolean
}

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>

/** Waits for a read to settle, whichever way: the next turn of the loop looks at its outcome. */
async function settled(read: Promise<ReadResult>): Promise<void> {
  await read.then(
    () => undefined,
    () => undefined,
  )
}

function outgoingHeaders(response: Response): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {}
  for (const [name, value] of response.headers) headers[name] = value
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  if (response.body !== null) headers['content-type'] ??= DEFAULT_CONTENT_TYPE
  return headers
}

/** A read that has already settled, or undefined: never waits for the stream's next event. */
async function readIfReady(pending: Promise<ReadResult>): Promise<ReadResult | undefined> {
  return Promise.race([pending, Promise.resolve().then(() => undefined)])
}

/**
 * Everything the stream holds right now: the chunks already queued, whether it has ended, and
 * the read still waiting for the next chunk if it has not.
 */
async function drainReady(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Promise<ReadResult>,
): Promise<{ chunks: Uint8Array[]; done: boolean; next: Promise<ReadResult> }> {
  const chunks: Uint8Array[] = []
  let next = first
  for (;;) {
    const result = await readIfReady(next)
    if (result === undefined) return { chunks, done: false, next }
    if (result.done) return { chunks, done: true, next }
    chunks.push(result.value)
    next = reader.read()
  }
}

function byteLength(chunks: readonly Uint8Array[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)
}

/**
 * Writes chunks in one go (headers not yet sent go along, and so does the end of the response
 * when `end`): one `writev` where the SDK's adapter made a write per chunk and one for the end.
 */
function writeChunks(res: ServerResponse, chunks: readonly Uint8Array[], end: boolean): boolean {
  const [only] = chunks
  if (end && chunks.length <= 1) {
    res.end(only)
    return true
  }
  res.cork()
  let flowing = true
  for (const chunk of chunks) flowing = res.write(chunk)
  // `end` flushes what is corked; otherwise uncork does.
  if (end) res.end()
  else res.uncork()
  return flowing
}

/** Resolves when the client has taken what was written, or has gone away. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

async function pipeEventStream(
  body: ReadableStream<Uint8Array>,
  status: number,
  headers: OutgoingHttpHeaders,
  res: ServerResponse,
  writing: EventStreamWriting,
): Promise<void> {
  const reader = body.getReader()
  // The client went away: cancelling tells the transport, which forgets the stream.
  const cancel = (): void => {
    reader.cancel().catch(() => {})
  }
  res.on('close', cancel)
  try {
    let next = reader.read()
    let headersSent = false
    for (;;) {
      const ready = await drainReady(reader, next)
      next = ready.next
      // The client went away (the stream was cancelled): nothing left to write to.
      if (res.destroyed) return
      if (!headersSent) {
        if (ready.chunks.length === 0 && !ready.done && writing.headersWithFirstEvent) {
          await settled(next)
          continue
        }
        // A stream already whole when its headers go out gets a length, not chunks.
        if (ready.done) headers['content-length'] = byteLength(ready.chunks)
        res.writeHead(status, headers)
        headersSent = true
        if (ready.chunks.length === 0 && !ready.done) res.flushHeaders()
      }
      const flowing = writeChunks(res, ready.chunks, ready.done)
      if (ready.done) return
      if (!flowing) await drainedOrClosed(res)
      await settled(next)
    }
  } catch (error) {
    res.destroy(error instanceof Error ? error : undefined)
  } finally {
    res.off('close', cancel)
  }
}

/**
 * Writes a fetch `Response` of the SDK's web-standard MCP transport on a Node response, in as
 * few writes as the answer allows: a whole body (JSON answers, errors) with its length in one
 * write, an event stream chunk by chunk, each write taking every event ready by then.
 */
export async function writeWebResponse(
  response: Response,
  res: ServerResponse,
  writing: EventStreamWriting,
): Promise<void> {
  const headers = outgoingHeaders(response)
  const body = response.body
  if (body === null) {
    res.writeHead(response.status, headers).end()
    return
  }
  if (!String(headers['content-type']).startsWith('text/event-stream')) {
    const text = await response.text()
    headers['content-length'] = Buffer.byteLength(text)
    res.writeHead(response.status, headers).end(text)
    return
  }
  await pipeEventStream(body, response.status, headers, res, writing)
}
