/** A submit button of a form: `<button name value>` or `<input type="submit" name value>`. */
export interface FormButton {
  readonly name: string | undefined
  readonly value: string
  readonly label: string
}

/** A `<form>` as a browser would submit it. */
export interface HtmlForm {
  /** Absolute target URL (the `action`, resolved against the page URL). */
  readonly action: URL
  readonly method: 'GET' | 'POST'
  /** Every successful control that is not a button, in document order. */
  readonly fields: readonly (readonly [string, string])[]
  readonly buttons: readonly FormButton[]
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
}

/** Decodes the HTML character references a server may put in attribute values and text. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X'
          ? Number.parseInt(ref.slice(2), 16)
          : Number.parseInt(ref.slice(1), 10)
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole
    }
    return ENTITIES[ref.toLowerCase()] ?? whole
  })
}

/** Attributes of one start tag's attribute text (`name="x" value='y' disabled`). */
export function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>()
  const pattern = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g
  for (const match of source.matchAll(pattern)) {
    const name = (match[1] ?? '').toLowerCase()
    if (!attributes.has(name)) attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''))
  }
  return attributes
}

/** Text content with tags removed and whitespace collapsed: for error messages. */
export function pageText(html: string, max = 300): string {
  const text = decodeEntities(
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' '),
  ).trim()
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/**
 * Every form of a page, with its text inputs, hidden inputs, checked boxes, selects' first option
 * and submit buttons. Enough HTML for login and consent pages; not a general parser.
 */
export function parseForms(html: string, pageUrl: URL): HtmlForm[] {
  const forms: HtmlForm[] = []
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = parseAttributes(match[1] ?? '')
    const body = match[2] ?? ''
    const fields: (readonly [string, string])[] = []
    const buttons: FormButton[] = []
    for (const control of body.matchAll(/<(input|button|textarea|select)\b([^>]*)>(?:([\s\S]*?)<\/\1>)?/gi)) {
      const tag = (control[1] ?? '').toLowerCase()
      const controlAttributes = parseAttributes(control[2] ?? '')
      const inner = control[3] ?? ''
      const name = controlAttributes.get('name')
      if (controlAttributes.has('disabled')) continue
      const type = (controlAttributes.get('type') ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase()
      if (type === 'submit' || type === 'image') {
        const label = tag === 'button' ? pageText(inner) : (controlAttributes.get('value') ?? '')
        buttons.push({ name, value: controlAttributes.get('value') ?? '', label })
        continue
      }
      if (!name || type === 'button' || type === 'reset' || type === 'file') continue
      if ((type === 'checkbox' || type === 'radio') && !controlAttributes.has('checked')) continue
      if (tag === 'textarea') fields.push([name, decodeEntities(inner)])
      else if (tag === 'select') fields.push([name, firstOptionValue(inner)])
      else fields.push([name, controlAttributes.get('value') ?? (type === 'checkbox' ? 'on' : '')])
    }
    const method = (attributes.get('method') ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET'
    forms.push({
      action: new URL(attributes.get('action') || pageUrl.href, pageUrl),
      method,
      fields,
      buttons,
    })
  }
  return forms
}

function firstOptionValue(selectBody: string): string {
  const options = [...selectBody.matchAll(/<option\b([^>]*)>([\s\S]*?)(?=<option\b|$)/gi)]
  const chosen = options.find((option) => parseAttributes(option[1] ?? '').has('selected')) ?? options[0]
  if (!chosen) return ''
  const attributes = parseAttributes(chosen[1] ?? '')
  return attributes.get('value') ?? pageText(chosen[2] ?? '')
}

/** The target of `<meta http-equiv="refresh" content="0; url=…">`, resolved against the page. */
export function parseMetaRefresh(html: string, pageUrl: URL): URL | undefined {
  for (const match of html.matchAll(/<meta\b([^>]*)>/gi)) {
    const attributes = parseAttributes(match[1] ?? '')
    if ((attributes.get('http-equiv') ?? '').toLowerCase() !== 'refresh') continue
    const content = attributes.get('content') ?? ''
    const target = /^\s*\d+(?:\.\d+)?\s*[;,]\s*(?:url\s*=\s*)?['"]?([^'"]+)['"]?\s*$/i.exec(content)?.[1]
    if (target) return new URL(target.trim(), pageUrl)
  }
  return undefined
}
