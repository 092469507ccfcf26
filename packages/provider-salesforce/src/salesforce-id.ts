const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'

/**
 * The 18-character form of a Salesforce record id (user, org). A 15-character id is
 * case-sensitive; its 18-character form adds three characters that encode the case of the first
 * fifteen, so it compares case-insensitively (help.salesforce.com "What is a Salesforce ID?",
 * developer.salesforce.com "ID Field Type"). An 18-character id whose first fifteen characters lost
 * their case is restored from its suffix. Anything else is returned unchanged.
 */
export function salesforceId18(id: string): string {
  if (/^[a-zA-Z0-9]{15}$/.test(id)) return id + caseSuffix(id)
  if (!/^[a-zA-Z0-9]{15}[A-Za-z0-5]{3}$/.test(id)) return id
  const suffix = id.slice(15).toUpperCase()
  let restored = ''
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX_ALPHABET.indexOf(suffix[chunk] ?? 'A')
    for (let i = 0; i < 5; i++) {
      const c = id[chunk * 5 + i] ?? ''
      restored += bits & (1 << i) ? c.toUpperCase() : c.toLowerCase()
    }
  }
  return restored + suffix
}

function caseSuffix(id15: string): string {
  let suffix = ''
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i] ?? ''
      if (c >= 'A' && c <= 'Z') bits |= 1 << i
    }
    suffix += SUFFIX_ALPHABET[bits]
  }
  return suffix
}
