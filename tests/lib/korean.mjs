// korean.mjs — what "English left on a Korean page" means, for the HTTP
// tests of the buyer's pages (tests/http/i18n.test.mjs), the staff's
// and operator's (tests/http/i18n_admin.test.mjs) and nginx's own
// (tests/http/i18n_errors.test.mjs).
//
// The catalog's sentences and the catalogue's data are english.mjs's (the
// browser tests' rule); what this adds: the words of a button's value and
// of a script's message, and a strict mode for the staff's pages.
//
// Two checks. The catalog check: no sentence of the catalog template
// (po/boxoffice.pot) appears in its English form. The words check: after
// taking out what may stay as it is (the catalogue's own data, e-mail
// addresses, the brand, and what the caller allows: ticket codes, "KST"),
// no English is left: by default no run of two English words (the
// buyer's test); with { words: 1 } no English word at all (a lone "Sold"
// in a table's head is a leftover too).
import assert from 'node:assert/strict';
import { Client } from './stack.mjs';
import { catalogFragments, dataWords } from './english.mjs';

export const KO = { 'accept-language': 'ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7' };

// A client whose every request says it reads Korean first.
export class KoreanClient extends Client {
  request(method, path, opts = {}) {
    return super.request(method, path, { ...opts, headers: { ...KO, ...(opts.headers || {}) } });
  }
}

// What a reader meets on the page: the text between tags and the
// attributes that are read out or shown (aria-label, title, placeholder,
// alt, a button's value, the script's data-t- words), entities decoded.
// The language switch's own link ("English", lang="en") is the one word
// meant to be English.
export function readable(html) {
  html = html.replace(/<(a|span)\b[^>]*\blang="en"[^>]*>English<\/\1>/g, ' ');
  // ({why} in a script's words is its placeholder, filled in by it)
  const attrs = [...html.matchAll(/\s(?:aria-label|title|placeholder|alt|data-t-[\w-]+)="([^"]*)"/g)]
    .map((m) => m[1].replace(/\{\w+\}/g, ' '));
  const values = [...html.matchAll(/<input\b[^>]*\btype="(?:submit|button|reset)"[^>]*>/g)]
    .map((m) => (/\svalue="([^"]*)"/.exec(m[0]) || [])[1] || '');
  const body = html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ');
  return [body, ...attrs, ...values].join('\n').replace(/&amp;/g, '&').replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

// The catalogue's own names and texts (english.mjs's dataWords), read
// once per stack.
const dataOf = new WeakMap();
export function ourData(stack) {
  if (!dataOf.has(stack)) dataOf.set(stack, dataWords(stack));
  return dataOf.get(stack);
}

const FRAGMENTS = catalogFragments();

// The English left on page (a response: { text }): the catalog's
// sentences and the words no catalog translates. allow: strings that may
// stay (codes, proper nouns), taken out before the words are looked at;
// words: 2 (runs of two words or more) or 1 (any word of two letters).
export function englishLeft(stack, html, { allow = [], words = 2 } = {}) {
  let text = readable(html);
  for (const a of [...allow].sort((x, y) => y.length - x.length)) text = text.split(a).join(' ');
  const sentences = FRAGMENTS.filter((f) => text.includes(f));
  for (const d of ourData(stack)) text = text.split(d).join(' ');
  text = text.replace(/\S+@\S+/g, ' ').replace(/box\s*office/g, ' '); // the brand
  const re = words === 1 ? /[A-Za-z]{2,}(?:[ \t]+[A-Za-z]{2,})*/g
    : /[A-Za-z]{2,}(?:[ \t]+[A-Za-z]{2,})+/g;
  return { sentences, words: text.match(re) || [], text };
}

// Fails naming every English sentence of the catalog and every English
// word (or run) left on a page that says it is Korean.
export function assertKorean(stack, page, what, opts = {}) {
  assert.match(page.text, /<html lang="ko">/, `${what}: <html lang="ko">`);
  const left = englishLeft(stack, page.text, opts);
  assert.deepEqual(left.sentences, [], `${what}: catalog sentences left in English`);
  assert.deepEqual(left.words, [], `${what}: English words that no catalog translates`);
  assert.match(left.text, /[가-힣]/, `${what}: Korean words`);
}
