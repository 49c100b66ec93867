// The misconfigurations each real server is started with, one per way that
// stack commonly ends up with a CORS failure. Each case names the reason
// Chromium must give; its `slots` are the CORS block that the generated fix
// replaces (placement id -> code, see servers.mjs). `mode: 'proxy'` puts the
// server in front of an upstream that already sets Access-Control-Allow-Origin.
//
// Simple requests (GET, or GET with credentials) cover the six reasons of the
// CORS check on a response; PUTs and a custom request header cover the
// preflight reasons (no CORS at all, another origin, a method or a header the
// preflight answer does not list), and a PUT whose preflight passes but whose
// actual answer has no header (the "CORS only in the OPTIONS branch" mistake).
//
// `O` is the page origin (http://127.0.0.1:<port>), `api` the server's own
// origin (http://localhost:<port>).

/** Another origin, as a developer's config would name it (a dev server). */
export const OTHER = 'http://localhost:3000';

/** The origin without its scheme: what a config that forgot `http://` sends. */
const noScheme = (o) => o.replace(/^https?:\/\//, '');

const get = { method: 'GET', path: '/api/data', credentials: 'omit', mode: 'static' };
const withCredentials = { ...get, credentials: 'include' };
const put = { ...get, method: 'PUT' };

/** A request with a header no simple request may carry: it is preflighted. */
const customHeader = { ...get, headers: { 'X-Api-Key': 'k1' } };

/**
 * CORS that answers the preflight (204, the given Allow-Methods and
 * Allow-Headers) and names the page on every answer: what a hand-written
 * config that forgot a method or a header looks like in each stack.
 */
function preflightAnswer(stack, O, { methods, headers }) {
  switch (stack) {
    case 'nginx':
      return {
        'nginx-location': [
          `add_header Access-Control-Allow-Origin "${O}" always;`,
          'if ($request_method = OPTIONS) {',
          `    add_header Access-Control-Allow-Origin "${O}" always;`,
          `    add_header Access-Control-Allow-Methods "${methods}" always;`,
          ...(headers ? [`    add_header Access-Control-Allow-Headers "${headers}" always;`] : []),
          '    return 204;',
          '}',
        ].join('\n'),
      };
    case 'apache':
      return {
        'apache-location': [
          `Header always set Access-Control-Allow-Origin "${O}"`,
          `Header always set Access-Control-Allow-Methods "${methods}"`,
          ...(headers ? [`Header always set Access-Control-Allow-Headers "${headers}"`] : []),
          'RewriteEngine On',
          'RewriteCond %{REQUEST_METHOD} =OPTIONS',
          'RewriteRule ^ - [R=204,L]',
        ].join('\n'),
      };
    case 'caddy':
      return {
        'caddyfile-site': [
          `header Access-Control-Allow-Origin "${O}"`,
          '@preflight method OPTIONS',
          `header @preflight Access-Control-Allow-Methods "${methods}"`,
          ...(headers ? [`header @preflight Access-Control-Allow-Headers "${headers}"`] : []),
          'respond @preflight 204',
        ].join('\n'),
      };
    case 'express': {
      const list = (v) => v.split(', ').map((x) => `'${x}'`).join(', ');
      return {
        'js-imports': "const cors = require('cors');",
        'express-app': `app.use(cors({ origin: '${O}', methods: [${list(methods)}], allowedHeaders: [${headers ? list(headers) : ''}] }));`,
      };
    }
  }
  throw new Error(stack);
}

/** The preflighted cases, the same for every stack. */
function preflightCases(stack, O) {
  return [
    // A PUT (or a custom header) to an API with no CORS at all: the preflight fails first.
    { id: 'preflight-no-cors-config', reason: 'PreflightMissingAllowOriginHeader', ...put, slots: {} },
    { id: 'preflight-other-origin', reason: 'PreflightAllowOriginMismatch', ...customHeader, slots: preflightAnswer(stack, OTHER, { methods: 'GET', headers: 'X-Api-Key' }) },
    { id: 'preflight-method-not-listed', reason: 'MethodDisallowedByPreflightResponse', ...put, slots: preflightAnswer(stack, O, { methods: 'GET, POST', headers: 'Content-Type' }) },
    { id: 'preflight-header-not-listed', reason: 'HeaderDisallowedByPreflightResponse', ...customHeader, slots: preflightAnswer(stack, O, { methods: 'GET', headers: null }) },
  ];
}

export function cases(stack, O) {
  return [...simpleCases(stack, O), ...preflightCases(stack, O)];
}

function simpleCases(stack, O) {
  switch (stack) {
    case 'nginx':
      return [
        { id: 'no-cors-config', reason: 'MissingAllowOriginHeader', ...get, slots: {} },
        {
          id: '404-without-always',
          reason: 'MissingAllowOriginHeader',
          ...get,
          path: '/api/missing',
          slots: { 'nginx-location': `add_header Access-Control-Allow-Origin "${O}";` },
        },
        {
          id: 'preflight-branch-only',
          reason: 'MissingAllowOriginHeader',
          ...put,
          slots: {
            'nginx-location': [
              'if ($request_method = OPTIONS) {',
              `    add_header Access-Control-Allow-Origin "${O}";`,
              '    add_header Access-Control-Allow-Methods "GET, PUT";',
              '    add_header Access-Control-Allow-Headers "Content-Type";',
              '    return 204;',
              '}',
            ].join('\n'),
          },
        },
        { id: 'other-origin', reason: 'AllowOriginMismatch', ...get, slots: { 'nginx-location': `add_header Access-Control-Allow-Origin "${OTHER}" always;` } },
        {
          id: 'proxy-and-upstream-both-set',
          reason: 'MultipleAllowOriginValues',
          ...get,
          mode: 'proxy',
          slots: { 'nginx-location': `add_header Access-Control-Allow-Origin "${O}" always;` },
        },
        {
          id: 'comma-separated-list',
          reason: 'MultipleAllowOriginValues',
          ...get,
          slots: { 'nginx-location': `add_header Access-Control-Allow-Origin "${O}, ${OTHER}" always;` },
        },
        { id: 'scheme-forgotten', reason: 'InvalidAllowOriginValue', ...get, slots: { 'nginx-location': `add_header Access-Control-Allow-Origin "${noScheme(O)}" always;` } },
        { id: 'wildcard-with-credentials', reason: 'WildcardOriginNotAllowed', ...withCredentials, slots: { 'nginx-location': 'add_header Access-Control-Allow-Origin "*" always;' } },
        { id: 'credentials-no-allow-credentials', reason: 'InvalidAllowCredentials', ...withCredentials, slots: { 'nginx-location': `add_header Access-Control-Allow-Origin "${O}" always;` } },
      ];
    case 'apache': {
      // The placement's label offers <Location>, <Directory> and .htaccess:
      // the cases without a proxy run in all three (with the misconfiguration
      // in the same place).
      const inAll = (c) =>
        c.mode === 'proxy'
          ? [c]
          : [c, { ...c, id: `${c.id} <Directory>`, context: 'directory' }, { ...c, id: `${c.id} .htaccess`, context: 'htaccess' }];
      return [
        { id: 'no-cors-config', reason: 'MissingAllowOriginHeader', ...get, slots: {} },
        {
          id: '404-without-always',
          reason: 'MissingAllowOriginHeader',
          ...get,
          path: '/api/missing',
          slots: { 'apache-location': `Header set Access-Control-Allow-Origin "${O}"` },
        },
        {
          id: 'preflight-branch-only',
          reason: 'MissingAllowOriginHeader',
          ...put,
          slots: {
            'apache-location': [
              'RewriteEngine On',
              'RewriteCond %{REQUEST_METHOD} =OPTIONS',
              'RewriteRule ^ - [R=204,L]',
              `Header always set Access-Control-Allow-Origin "${O}" "expr=%{REQUEST_METHOD} == 'OPTIONS'"`,
              `Header always set Access-Control-Allow-Methods "GET, PUT" "expr=%{REQUEST_METHOD} == 'OPTIONS'"`,
              `Header always set Access-Control-Allow-Headers "Content-Type" "expr=%{REQUEST_METHOD} == 'OPTIONS'"`,
            ].join('\n'),
          },
        },
        { id: 'other-origin', reason: 'AllowOriginMismatch', ...get, slots: { 'apache-location': `Header always set Access-Control-Allow-Origin "${OTHER}"` } },
        {
          id: 'proxy-and-upstream-both-set',
          reason: 'MultipleAllowOriginValues',
          ...get,
          mode: 'proxy',
          slots: { 'apache-location': `Header always set Access-Control-Allow-Origin "${O}"` },
        },
        {
          id: 'comma-separated-list',
          reason: 'MultipleAllowOriginValues',
          ...get,
          slots: { 'apache-location': `Header always set Access-Control-Allow-Origin "${O}, ${OTHER}"` },
        },
        { id: 'scheme-forgotten', reason: 'InvalidAllowOriginValue', ...get, slots: { 'apache-location': `Header always set Access-Control-Allow-Origin "${noScheme(O)}"` } },
        { id: 'wildcard-with-credentials', reason: 'WildcardOriginNotAllowed', ...withCredentials, slots: { 'apache-location': 'Header always set Access-Control-Allow-Origin "*"' } },
        { id: 'credentials-no-allow-credentials', reason: 'InvalidAllowCredentials', ...withCredentials, slots: { 'apache-location': `Header always set Access-Control-Allow-Origin "${O}"` } },
      ].flatMap((c) => (['no-cors-config', '404-without-always', 'preflight-branch-only', 'credentials-no-allow-credentials'].includes(c.id) ? inAll(c) : [c]));
    }
    case 'caddy':
      return [
        { id: 'no-cors-config', reason: 'MissingAllowOriginHeader', ...get, slots: {} },
        {
          id: 'preflight-branch-only',
          reason: 'MissingAllowOriginHeader',
          ...put,
          slots: {
            'caddyfile-site': [
              '@preflight method OPTIONS',
              'handle @preflight {',
              `    header Access-Control-Allow-Origin "${O}"`,
              '    header Access-Control-Allow-Methods "GET, PUT"',
              '    header Access-Control-Allow-Headers "Content-Type"',
              '    respond 204',
              '}',
            ].join('\n'),
          },
        },
        { id: 'other-origin', reason: 'AllowOriginMismatch', ...get, slots: { 'caddyfile-site': `header Access-Control-Allow-Origin "${OTHER}"` } },
        {
          id: 'proxy-and-upstream-both-set',
          reason: 'MultipleAllowOriginValues',
          ...get,
          mode: 'proxy',
          slots: { 'caddyfile-site': `header Access-Control-Allow-Origin "${O}"` },
        },
        { id: 'comma-separated-list', reason: 'MultipleAllowOriginValues', ...get, slots: { 'caddyfile-site': `header Access-Control-Allow-Origin "${O}, ${OTHER}"` } },
        { id: 'scheme-forgotten', reason: 'InvalidAllowOriginValue', ...get, slots: { 'caddyfile-site': `header Access-Control-Allow-Origin "${noScheme(O)}"` } },
        { id: 'wildcard-with-credentials', reason: 'WildcardOriginNotAllowed', ...withCredentials, slots: { 'caddyfile-site': 'header Access-Control-Allow-Origin "*"' } },
        { id: 'credentials-no-allow-credentials', reason: 'InvalidAllowCredentials', ...withCredentials, slots: { 'caddyfile-site': `header Access-Control-Allow-Origin "${O}"` } },
      ];
    case 'express': {
      const imports = "const cors = require('cors');";
      const withCors = (app) => ({ 'js-imports': imports, 'express-app': app });
      return [
        { id: 'no-cors-config', reason: 'MissingAllowOriginHeader', ...get, slots: {} },
        // The cors docs' "enable pre-flight" line alone: OPTIONS is answered, the PUT itself is not.
        { id: 'preflight-route-only', reason: 'MissingAllowOriginHeader', ...put, slots: withCors(`app.options('*', cors({ origin: '${O}' }));`) },
        { id: 'other-origin', reason: 'AllowOriginMismatch', ...get, slots: withCors(`app.use(cors({ origin: '${OTHER}' }));`) },
        {
          id: 'two-middlewares-both-set',
          reason: 'MultipleAllowOriginValues',
          ...get,
          slots: withCors(
            [
              `app.use(cors({ origin: '${O}' }));`,
              'app.use((req, res, next) => {',
              `  res.append('Access-Control-Allow-Origin', '${O}');`,
              '  next();',
              '});',
            ].join('\n'),
          ),
        },
        { id: 'comma-separated-list', reason: 'MultipleAllowOriginValues', ...get, slots: withCors(`app.use(cors({ origin: '${O}, ${OTHER}' }));`) },
        { id: 'scheme-forgotten', reason: 'InvalidAllowOriginValue', ...get, slots: withCors(`app.use(cors({ origin: '${noScheme(O)}' }));`) },
        { id: 'wildcard-with-credentials', reason: 'WildcardOriginNotAllowed', ...withCredentials, slots: withCors('app.use(cors());') },
        { id: 'credentials-no-allow-credentials', reason: 'InvalidAllowCredentials', ...withCredentials, slots: withCors(`app.use(cors({ origin: '${O}' }));`) },
      ];
    }
    default:
      throw new Error(`no cases for stack ${stack}`);
  }
}
