// @ts-check
// The "first finding" help page (www/first-finding.html), linked from the
// panel's empty state: shipped in the package, so the link works from an
// installed extension, and shown in the panel's language (the saved choice,
// else the browser's) through the same localisation layer.

import init, { localizePage, t } from '../www/pkg/cors_lens.js';
import { api } from './compat.js';

await init();
const saved = await api.storage.local.get(['lang']);
const chosen = typeof saved.lang === 'string' && saved.lang !== 'auto' ? saved.lang : api.i18n.getUILanguage();
const lang = localizePage(chosen);
document.title = `${t(lang, 'help_title')} · ${t(lang, 'extName')}`;
