// @ts-check
// The DevTools page: runs while DevTools is open on a tab, whichever panel is
// shown. It adds the CORS Lens panel, and tells the worker which tab DevTools
// is open on (extension/observe.js watches that tab while the port is open).
import { api } from './compat.js';
import { DEVTOOLS_PORT, Msg, message } from './messages.js';

api.devtools.panels.create(api.i18n.getMessage('extName'), '/icons/icon-32.png', '/www/panel.html');

const tabId = api.devtools.inspectedWindow.tabId;

function connect() {
  const port = api.runtime.connect({ name: DEVTOOLS_PORT });
  port.postMessage(message(Msg.DEVTOOLS, { tabId }));
  // The worker stops when idle: the port closes, and opening it again wakes
  // the worker, which then knows this tab is still being debugged.
  port.onDisconnect.addListener(() => {
    if (api.runtime?.id) setTimeout(connect, 100);
  });
}

if (Number.isInteger(tabId)) connect();
