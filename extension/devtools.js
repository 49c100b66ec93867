// The DevTools page: its only job is to add the CORS Lens panel.
import { api } from './compat.js';

api.devtools.panels.create(api.i18n.getMessage('extName'), '/icons/icon-32.png', '/www/panel.html');
