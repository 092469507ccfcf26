import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js'
import { ResultShapeError } from './shape-result.js'

/** Media types whose content is bytes, not text: sent as `blob` (base64). */
const BINARY_MIME_TYPE = /^(?:image|audio|video|font)\/|^application\/(?:octet-stream|pdf|zip|gzip)$/i

/** Standard base64 (RFC 4648 §4), as DuckDB's `to_base64()` writes it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Whether a resource of this media type carries bytes (MCP `blob`) rather than text. */
export function isBinaryMimeType(mimeType: string): boolean {
  return BINARY_MIME_TYPE.test(mimeType)
}

type ResourceContent = ReadResourceResult['contents'][number]

/**
 * The content of a resource read (2025-11-25 server/resources, "Resource Contents"): for a
 * binary media type (`image/png`, `application/pdf`, ...) the query's value is base64 text, say
 * `SELECT to_base64(data) FROM files WHERE ...`, sent as `blob`; for a text type that is not
 * JSON, a string value is sent as it is; anything else as JSON text. Throws
 * {@link ResultShapeError} when a binary resource's value is not base64 text.
 */
export function resourceContent(uri: string, mimeType: string, value: unknown): ResourceContent {
  if (isBinaryMimeType(mimeType)) {
    if (typeof value !== 'string' || value === '' || !BASE64.test(value)) {
      throw new ResultShapeError(
        `a ${mimeType} resource needs its query to return base64 text (to_base64(...)), got ${typeof value === 'string' ? 'other text' : typeof value}`,
      )
    }
    return { uri, mimeType, blob: value }
  }
  const text = typeof value === 'string' && !/json/i.test(mimeType) ? value : JSON.stringify(value)
  return { uri, mimeType, text }
}
