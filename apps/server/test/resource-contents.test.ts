import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isBinaryMimeType, resourceContent } from '../src/mcp/resource-contents.js'
import { ResultShapeError } from '../src/mcp/shape-result.js'

const PIXEL =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

describe('resource contents by media type', () => {
  test('a binary media type sends the base64 text its query returned as blob', () => {
    assert.deepEqual(resourceContent('x://p', 'image/png', PIXEL), {
      uri: 'x://p',
      mimeType: 'image/png',
      blob: PIXEL,
    })
    for (const type of ['image/png', 'audio/wav', 'application/pdf', 'application/octet-stream'])
      assert.equal(isBinaryMimeType(type), true, type)
    for (const type of ['text/plain', 'application/json', 'application/vnd.api+json', 'text/csv'])
      assert.equal(isBinaryMimeType(type), false, type)
  })

  test('a binary resource whose query returned anything but base64 text is a clear error, not a corrupt blob', () => {
    for (const value of ['not base64!', '', 42, { png: PIXEL }, null]) {
      assert.throws(
        () => resourceContent('x://p', 'image/png', value),
        (error: unknown) =>
          error instanceof ResultShapeError && /needs its query to return base64 text/.test(error.message),
      )
    }
  })

  test('a text type that is not JSON sends a string as it is; JSON types send JSON', () => {
    assert.deepEqual(resourceContent('x://t', 'text/plain', 'hello'), {
      uri: 'x://t',
      mimeType: 'text/plain',
      text: 'hello',
    })
    assert.deepEqual(resourceContent('x://j', 'application/json', 'hello'), {
      uri: 'x://j',
      mimeType: 'application/json',
      text: '"hello"',
    })
    assert.deepEqual(resourceContent('x://j', 'application/json', { a: 1 }), {
      uri: 'x://j',
      mimeType: 'application/json',
      text: '{"a":1}',
    })
  })
})
