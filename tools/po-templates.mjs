// po-templates.mjs — the msgids of the templates' {{_}}…{{/_}} markers
// (cgi-bin/tmpl.h) as a PO template on stdout, with each one's file and
// line. xgettext reads the C sources; it has no parser for mustache, and
// the marker is ours, so this small reader does the templates.
// Usage: node tools/po-templates.mjs templates/*.html > build/po/templates.pot
import { readFileSync } from 'node:fs';

const OPEN = '{{_}}', CLOSE = '{{/_}}';
const seen = new Map(); // msgid → [refs]

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  let at = 0;
  for (;;) {
    const o = text.indexOf(OPEN, at);
    if (o < 0) break;
    const c = text.indexOf(CLOSE, o + OPEN.length);
    if (c < 0) {
      console.error(`${file}: ${OPEN} not closed`);
      process.exit(1);
    }
    const id = text.slice(o + OPEN.length, c);
    const line = text.slice(0, o).split('\n').length;
    if (!seen.has(id)) seen.set(id, []);
    seen.get(id).push(`${file}:${line}`);
    at = c + CLOSE.length;
  }
}

// PO string syntax: backslash, quote and control characters escaped; a
// msgid with newlines is split after each one, as xgettext writes them.
const quote = (s) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
  .replace(/\t/g, '\\t').replace(/\n/g, '\\n') + '"';
const po = (s) => {
  if (!s.includes('\n') || s.indexOf('\n') === s.length - 1) return quote(s);
  const parts = s.split(/(?<=\n)/);
  return '""\n' + parts.map(quote).join('\n');
};

let out = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n';
for (const [id, refs] of seen) {
  out += `\n#: ${refs.join(' ')}\nmsgid ${po(id)}\nmsgstr ""\n`;
}
process.stdout.write(out);
