// english.mjs — what "English left on a page in another language" means,
// for the tests that read a page's HTML (over HTTP, or from the browser's
// DOM with what app.js wrote into it): a sentence of the catalog
// (po/boxoffice.pot) in its English form, a word of it that stands alone
// (a seat's state, a table's heading), or a run of two English words
// that is not the concert's own data. The same rule as
// tests/http/i18n.test.mjs's, which may import it from here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './stack.mjs';

// The msgids of the catalog template (no msgctxt: formats and names are
// not sentences), as they read in English.
function msgids() {
  const pot = readFileSync(join(ROOT, 'po', 'boxoffice.pot'), 'utf8');
  const ids = [];
  for (const block of pot.split(/\n\n/)) {
    if (/^msgctxt /m.test(block)) continue;
    const m = /^msgid ((?:".*"\n?)+)/m.exec(block);
    if (!m) continue;
    const id = m[1].split('\n').filter(Boolean).map((l) => JSON.parse(l)).join('');
    if (id) ids.push(id.replace(/&amp;/g, '&'));
  }
  return ids;
}

// Each msgid cut at its tags, markup, placeholders and formats into
// fragments of two words or more (a lone "Seat" could be a name of ours).
export function catalogFragments() {
  const out = new Set();
  for (const text of msgids()) {
    for (const f of text.split(/\{\{[^}]*\}\}|<[^>]*>|\{\w+\}|%(?:\d\$)?[-0-9]*l*[sdu]|[()·—:;.,!?“”]/)) {
      const words = f.trim();
      if ((words.match(/[A-Za-z]{2,}/g) || []).length >= 2) out.add(words);
    }
  }
  return [...out];
}

// The msgids that are one word alone ("taken", "Stage", "Total"): on a
// page in another language, that word standing alone is left over.
export function catalogWords() {
  return [...new Set(msgids().filter((id) => /^[A-Za-z]{2,}$/.test(id)))];
}

// What a reader meets on the page: the text between tags and the
// attributes that are read out or shown (aria-label, title, placeholder,
// alt, the script's data-t- words), entities decoded.
export function readable(html) {
  const attrs = [...html.matchAll(/\s(?:aria-label|title|placeholder|alt|data-t-[\w-]+)="([^"]*)"/g)]
    .map((m) => m[1]);
  const body = html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ');
  return [body, ...attrs].join('\n').replace(/&amp;/g, '&').replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, ' ');
}

// The catalogue's own names and texts (English in the demo), longest
// first: they are data, not words of ours.
export function dataWords(stack) {
  return stack.sql(`SELECT title FROM concert UNION SELECT artist FROM concert
    UNION SELECT venue FROM concert UNION SELECT description FROM concert
    UNION SELECT DISTINCT section FROM seat`).split('\n').filter(Boolean)
    .sort((a, b) => b.length - a.length);
}

let fragments, words;
// The English left in html (a page meant to be in another language):
// { sentences, words, runs }, each a list, all empty when none is left.
// data: dataWords(stack).
export function englishLeft(html, data) {
  fragments ??= catalogFragments();
  words ??= catalogWords();
  let text = readable(html);
  const sentences = fragments.filter((f) => text.includes(f));
  for (const d of data) text = text.split(d).join(' ');
  text = text.replace(/\S+@\S+/g, ' ').replace(/box\s*office/g, ' '); // e-mails, the brand
  const alone = words.filter((w) => new RegExp(`(?<![A-Za-z])${w}(?![A-Za-z])`).test(text));
  const runs = text.match(/[A-Za-z]{2,}(?:[ \t]+[A-Za-z]{2,})+/g) || [];
  return { sentences, words: alone, runs };
}
