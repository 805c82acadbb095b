// error-pages.mjs — nginx's own error pages (static/errors/*.html) in
// every language of the site, on one page each: nginx answers them before
// any worker runs, so it cannot ask the bo_lang cookie or Accept-Language
// which one to show; the page shows them all, each in its own lang.
//
// Sources: templates/errors/NAME.html, a fragment of HTML whose words are
// {{_}}…{{/_}} markers (tools/po-templates.mjs puts them in the catalog
// template, make pot; make i18n-check fails on one untranslated); its
// first line is a comment saying when nginx sends it, and {{status}} is
// NAME when NAME is a number. Each language's fragment is a <section
// lang="…">: the catalogs' languages (po/*.po, by code), then English, the
// language of the sources; <html lang> is the first one's. A message that
// a catalog lacks (untranslated or fuzzy) stops the build, naming it.
//
// Usage: node tools/error-pages.mjs OUTDIR   (make error-pages: static/errors;
// tools/check-i18n.sh writes build/ and compares)
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OPEN = '{{_}}', CLOSE = '{{/_}}';

// A .po file's translations: msgid → msgstr, without the ones that have a
// context (formats, names), are fuzzy, obsolete or untranslated.
function readPo(path) {
  const out = new Map();
  for (const block of readFileSync(path, 'utf8').split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => !l.startsWith('#~'));
    if (lines.some((l) => /^#,.*\bfuzzy\b/.test(l)) || lines.some((l) => l.startsWith('msgctxt')))
      continue;
    const field = (name) => {
      const i = lines.findIndex((l) => l.startsWith(name + ' '));
      if (i < 0) return null;
      const parts = [lines[i].slice(name.length + 1)];
      for (let j = i + 1; j < lines.length && lines[j].startsWith('"'); j++) parts.push(lines[j]);
      return parts.map((p) => JSON.parse(p)).join('');
    };
    const id = field('msgid'), str = field('msgstr');
    if (id && str) out.set(id, str);
  }
  return out;
}

// The site's languages: [{ code, tr }], the catalogs first, English last.
function languages() {
  const langs = readdirSync(join(ROOT, 'po')).filter((f) => f.endsWith('.po')).sort()
    .map((f) => ({ code: f.slice(0, -3).replace(/_/g, '-'), tr: readPo(join(ROOT, 'po', f)), file: `po/${f}` }));
  return [...langs, { code: 'en', tr: null }];
}

// The fragment src in language l: each marker's msgid replaced by its
// translation (the markup inside a marker is the msgid's: see tmpl.c).
function translate(src, l, where) {
  let out = '', at = 0;
  for (;;) {
    const o = src.indexOf(OPEN, at);
    if (o < 0) break;
    const c = src.indexOf(CLOSE, o);
    if (c < 0) throw new Error(`${where}: ${OPEN} not closed`);
    const id = src.slice(o + OPEN.length, c);
    const t = l.tr === null ? id : l.tr.get(id);
    if (t === undefined) throw new Error(`${where}: ${l.file} has no translation of ${JSON.stringify(id)} (make pot, then translate it)`);
    out += src.slice(at, o) + t;
    at = c + CLOSE.length;
  }
  return out + src.slice(at);
}

function page(name, src, langs) {
  const status = /^\d+$/.test(name) ? name : '';
  const body = src.replace(/^<!--[\s\S]*?-->\n/, '');
  const parts = langs.map((l) => ({ code: l.code,
    html: translate(body, l, `templates/errors/${name}.html`).replace(/\{\{status\}\}/g, status).trim() }));
  const titles = parts.map((p) => {
    const m = /<h1>([\s\S]*?)<\/h1>/.exec(p.html);
    if (!m) throw new Error(`templates/errors/${name}.html: no <h1>`);
    return m[1].replace(/<[^>]+>/g, ''); // HTML text already, as the markup is
  });
  return `<!doctype html>
<!-- Made by tools/error-pages.mjs from templates/errors/${name}.html and po/*.po: edit those, then make error-pages. -->
<html lang="${parts[0].code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${titles.join(' · ')} · boxoffice</title><link rel="stylesheet" href="/static/style.css"></head>
<body><header class="top"><a class="brand" href="/">box<b>office</b></a></header>
<main id="main">
${parts.map((p) => `<section class="card error" lang="${p.code}">\n${p.html}\n</section>`).join('\n')}
</main></body></html>
`;
}

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node tools/error-pages.mjs OUTDIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const langs = languages();
const srcDir = join(ROOT, 'templates', 'errors');
try {
  for (const f of readdirSync(srcDir).filter((x) => x.endsWith('.html')).sort()) {
    const name = basename(f, '.html');
    writeFileSync(join(outDir, f), page(name, readFileSync(join(srcDir, f), 'utf8'), langs));
  }
} catch (e) {
  console.error(`error-pages: ${e.message}`);
  process.exit(1);
}
