import fc from 'fast-check'

/** Parameter names our endpoints read, plus names that trip naive object handling. */
export const PARAMETER_NAMES = [
  'client_id',
  'client_secret',
  'redirect_uri',
  'response_type',
  'code_challenge',
  'code_challenge_method',
  'code_verifier',
  'scope',
  'state',
  'resource',
  'code',
  'error',
  'grant_type',
  'refresh_token',
  'token',
  'token_type_hint',
  'csrf_token',
  'consent_expires',
  'decision',
  'access_token',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
] as const

/** Values that broke parsers elsewhere: encodings, control characters, huge numbers, URLs. */
const NASTY_VALUES = [
  '',
  ' ',
  '%',
  '%ZZ',
  '%00',
  '%E0%A4%A',
  '\u0000',
  '\uFFFF',
  '\uD800',
  '😀',
  '../../etc/passwd',
  'javascript:alert(1)',
  'http://',
  'http://[::1',
  'https://mcp.test/mcp',
  'S256',
  'plain',
  'code',
  'approve',
  'authorization_code',
  'refresh_token',
  '1e309',
  '-1',
  'NaN',
  '9007199254740993',
  'mxcp_at_',
  'mxcp_rt_x',
  'mxcp_ac_x',
  '__proto__',
  '{"a":1}',
  '[]',
  'A'.repeat(43),
]

/** One hostile string: random text of every kind, a known-nasty value, or something long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string() },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_VALUES) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 2_000, maxLength: 20_000 }) },
)

/** A parameter name: one we read, or anything at all. */
export const parameterName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PARAMETER_NAMES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
)

/** Encodes a string for a query, sometimes correctly, sometimes leaving it raw (invalid escapes and all). */
const encoded: fc.Arbitrary<string> = fc
  .tuple(hostileString, fc.boolean())
  .map(([value, encode]) => (encode ? encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '')) : value))
  .map((value) => value.replace(/[#\s]/g, (char) => encodeURIComponent(char)))

/** A raw query string: random pairs, repeated names, bare names, stray separators. */
export const hostileQuery: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.tuple(parameterName, encoded).map(([name, value]) => `${encodeURIComponent(name)}=${value}`),
      parameterName.map((name) => encodeURIComponent(name)),
      fc.constantFrom('&', '=', '==', '&&', '[]=', 'a[b]=c', 'a[__proto__]=1'),
    ),
    { maxLength: 12 },
  )
  .map((pairs) => pairs.join('&'))

/** The content types a client could claim, right and wrong. */
export const contentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/json',
  'application/json; charset=latin1',
  'text/plain',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/x-www-form-urlencoded;;;',
  'invalid',
  '',
  undefined,
)

/** A hostile request body: a random form, random JSON, random bytes or random text. */
export const hostileBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  hostileQuery,
  fc.json(),
  fc
    .dictionary(parameterName, fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 })))
    .map((body) => JSON.stringify(body)),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  hostileString,
)

/** Header values a client controls, some of them nonsense, none with bytes HTTP forbids. */
export const headerValue: fc.Arbitrary<string> = fc
  .oneof(
    hostileString,
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Bearer mxcp_at_x',
      'Basic',
      'Basic !!!',
      'Basic Og==',
      'Basic OmE=',
      `Basic ${Buffer.from('a:b:c').toString('base64')}`,
      `Basic ${Buffer.from('%zz:%zz').toString('base64')}`,
      'mxcp_consent=x; mxcp_login=y',
      '__Host-mxcp_consent=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ),
  )
  // HTTP header values are visible ASCII, space and tab; anything else never reaches a server.
  .map((value) => value.replace(/[^\t\x20-\x7e]/g, '').slice(0, 4_000))
