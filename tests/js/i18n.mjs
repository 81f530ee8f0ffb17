// `chrome.i18n` for the Node tests of public/*.js (tests/worker.rs): the real catalogues of
// `_locales/`, filled as the browser fills them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * `chrome.i18n` for `locale`, read from the real `_locales/<locale>/messages.json` and filled as the
 * browser does: `$name$` is the placeholder's `content`, in which `$1`…`$9` are the substitutions;
 * `$$` is a dollar; a substitution is inserted as it is (never read again); an unknown name is ''.
 */
export function i18n(locale) {
  const catalogue = JSON.parse(fs.readFileSync(path.join(here, `../../_locales/${locale}/messages.json`), 'utf8'));
  return {
    catalogue,
    getMessage(name, subs) {
      const entry = Object.hasOwn(catalogue, name) ? catalogue[name] : null;
      if (!entry) return '';
      const list = subs === undefined ? [] : [].concat(subs).map(String);
      const placeholders = Object.fromEntries(Object.entries(entry.placeholders || {}).map(([k, v]) => [k.toLowerCase(), v.content]));
      const fill = (content) => content.replace(/\$([1-9])/g, (_, n) => list[n - 1] ?? '');
      return entry.message.replace(/\$\$|\$(\w+)\$/g, (m, p) => (m === '$$' ? '$' : fill(placeholders[p.toLowerCase()] ?? '')));
    },
  };
}
