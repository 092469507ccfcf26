import { escapeHtml } from './escape.js'

/** Plain CSS, inline (the CSP allows inline styles and nothing else); readable on a phone. */
const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1f2328}
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #d0d7de;border-radius:12px}
h1{font-size:1.3rem;margin:0 0 1rem;overflow-wrap:anywhere}
p{margin:.75rem 0}
.muted{color:#59636e;font-size:.9rem}
.host{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600;overflow-wrap:anywhere}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:8px;padding:.5rem .75rem}
ul{padding-left:1.25rem}
code{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
button,.button{flex:1;min-height:44px;padding:.7rem 1rem;font:inherit;border-radius:8px;border:1px solid #d0d7de;background:#f6f8fa;color:#1f2328;cursor:pointer;text-align:center;text-decoration:none}
button.primary,.button.primary{background:#1f883d;border-color:#1a7f37;color:#fff;font-weight:600}
button:focus-visible,.button:focus-visible{outline:3px solid #0969da;outline-offset:2px}
@media (max-width:30rem){main{margin:0;border:0;border-radius:0;min-height:100vh}}
`

/** One complete HTML document. `bodyHtml` must already be escaped; `title` is escaped here. */
export function renderPage(title: string, bodyHtml: string, headHtml = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${headHtml}<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${bodyHtml}
</main>
</body>
</html>
`
}
