// An OpenID provider for the test suite, built on oidc-provider and set up
// like the national ID provider that ccus logs people in with:
//
// - authorization code flow only (response_type=code), no refresh tokens;
// - PKCE required on every authorization request, S256 only;
// - client authentication by private_key_jwt signed with ES256, nothing else;
// - ID tokens signed with ES256 by a P-256 key generated at start-up;
// - pairwise `sub` values, so a relying party never receives the provider's
//   own account id (see pairwiseSubject below);
// - `iss` in every authorization response (RFC 9207), which oidc-provider 9
//   always sends and announces as authorization_response_iss_parameter_supported.
//
// Scopes and the claims they release:
//   openid   sub
//   profile  name, birthdate, gender
//   address  address (formatted, postal_code)
// These claims go into the ID token as well as the userinfo response
// (conformIdTokenClaims off), so that a relying party gets them from the
// token endpoint alone.
//
// NOTE: the scope names, the claims in the ID token and the lifetimes below
// are this harness's choices. Align them with the provider's published
// specification when a test depends on them.
//
// Usage: node provider.mjs [--port N] [CONFIG_FILE | -]
// The config (a JSON file, or standard input for "-" or no argument) is:
//   {
//     "clients": [{"client_id": "...", "redirect_uris": ["http://..."],
//                  "jwks": {"keys": [<public ES256 JWK>]}}],
//     "accounts": {"<account id>": {"name": "...", "birthdate": "YYYY-MM-DD",
//                  "gender": "...", "address": {"formatted": "...",
//                  "postal_code": "..."}}},
//     "pairwise_salt": "..."   (optional)
//   }
//
// There are no login pages. A test picks who logs in next with
// POST /__test/next-login {"account_id": "..."}, or makes the next login end
// in an error with {"error": "access_denied"}. Every authorization request then
// goes through /interaction/<uid>, which logs that account in and grants the
// requested scopes and claims. The choice stays until the next POST.
//
// When it listens, the process prints one JSON line to standard output:
//   {"issuer": "http://127.0.0.1:<port>", "port": <port>}
// Everything else, logs included, goes to standard error.

import { generateKeyPairSync, createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { interactionPolicy } from 'oidc-provider';

const HOST = '127.0.0.1';
const CONTROL_PATH = '/__test/next-login';
const INTERACTION_PREFIX = '/interaction/';
const DEFAULT_PAIRWISE_SALT = 'ccus-interop';
const MAX_CONTROL_BODY_BYTES = 16 * 1024;
const CLIENT_KEYS = new Set(['client_id', 'redirect_uris', 'jwks']);
const ACCOUNT_KEYS = new Set(['name', 'birthdate', 'gender', 'address']);
const ADDRESS_KEYS = new Set(['formatted', 'postal_code']);
const LOGIN_ERRORS = new Set(['access_denied', 'login_required', 'interaction_required']);
const BIRTHDATE = /^\d{4}-\d{2}-\d{2}$/;

class ConfigError extends Error {}

// oidc-provider prints notices with console.info, which would mix them into
// the ready line on standard output.
console.info = console.error;
console.log = console.error;

function log(event, fields = {}) {
  process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`);
}

function parseCommandLine() {
  const { values, positionals } = parseArgs({
    options: { port: { type: 'string', default: '0' } },
    allowPositionals: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--port is ${JSON.stringify(values.port)}; give a port from 0 to 65535 (0 picks a free one)`);
  }
  if (positionals.length > 1) {
    throw new ConfigError('give at most one config file, or "-" for standard input');
  }
  const source = positionals[0] ?? '-';
  const text = readFileSync(source === '-' ? 0 : source, 'utf8');
  let config;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the config is not valid JSON (${error.message}); pass a JSON object`);
  }
  return { port, config: validateConfig(config) };
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(value, where) {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`${where} is missing or not a non-empty string; set it to a string`);
  }
  return value;
}

function rejectUnknownKeys(object, allowed, where) {
  for (const key of Object.keys(object)) {
    if (!allowed.has(key)) {
      throw new ConfigError(`${where} has the unknown member ${JSON.stringify(key)}; allowed members are ${[...allowed].join(', ')}`);
    }
  }
}

function validateClient(client, index) {
  const where = `clients[${index}]`;
  if (!isObject(client)) {
    throw new ConfigError(`${where} is not an object; give client_id, redirect_uris and jwks`);
  }
  rejectUnknownKeys(client, CLIENT_KEYS, where);
  requireString(client.client_id, `${where}.client_id`);
  if (!Array.isArray(client.redirect_uris) || client.redirect_uris.length === 0) {
    throw new ConfigError(`${where}.redirect_uris is missing or empty; list the relying party's redirect URIs`);
  }
  client.redirect_uris.forEach((uri, position) => requireString(uri, `${where}.redirect_uris[${position}]`));
  if (!isObject(client.jwks) || !Array.isArray(client.jwks.keys) || client.jwks.keys.length === 0) {
    throw new ConfigError(`${where}.jwks must be a JWK set with at least one key; give {"keys": [<public ES256 JWK>]}`);
  }
  for (const key of client.jwks.keys) {
    if (isObject(key) && 'd' in key) {
      throw new ConfigError(`${where}.jwks contains a private key; give the public key only (drop "d")`);
    }
  }
}

function validateAccount(account, accountId) {
  const where = `accounts[${JSON.stringify(accountId)}]`;
  if (!isObject(account)) {
    throw new ConfigError(`${where} is not an object; give name, birthdate, gender and address`);
  }
  rejectUnknownKeys(account, ACCOUNT_KEYS, where);
  requireString(account.name, `${where}.name`);
  requireString(account.gender, `${where}.gender`);
  if (!BIRTHDATE.test(requireString(account.birthdate, `${where}.birthdate`))) {
    throw new ConfigError(`${where}.birthdate is not a YYYY-MM-DD date; write it as e.g. 1980-04-01`);
  }
  if (!isObject(account.address)) {
    throw new ConfigError(`${where}.address is not an object; give formatted and postal_code`);
  }
  rejectUnknownKeys(account.address, ADDRESS_KEYS, `${where}.address`);
  requireString(account.address.formatted, `${where}.address.formatted`);
  requireString(account.address.postal_code, `${where}.address.postal_code`);
}

function validateConfig(config) {
  if (!isObject(config)) {
    throw new ConfigError('the config is not a JSON object; give clients and accounts');
  }
  rejectUnknownKeys(config, new Set(['clients', 'accounts', 'pairwise_salt']), 'the config');
  if (!Array.isArray(config.clients) || config.clients.length === 0) {
    throw new ConfigError('clients is missing or empty; give at least one relying-party client');
  }
  config.clients.forEach(validateClient);
  if (!isObject(config.accounts) || Object.keys(config.accounts).length === 0) {
    throw new ConfigError('accounts is missing or empty; give at least one account by id');
  }
  for (const [accountId, account] of Object.entries(config.accounts)) {
    validateAccount(account, accountId);
  }
  if (config.pairwise_salt !== undefined) {
    requireString(config.pairwise_salt, 'pairwise_salt');
  }
  return config;
}

// The pairwise subject is base64url(SHA-256(sector "\0" account id "\0" salt)).
// It is stable for one sector and salt, so a relying party receives the same
// sub on every login, and across provider restarts.
function pairwiseSubject(sectorIdentifier, accountId, salt) {
  return createHash('sha256').update(`${sectorIdentifier}\0${accountId}\0${salt}`).digest('base64url');
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'ES256', use: 'sig' };
}

// The login prompt fires on every authorization request that has not just
// logged someone in, so the account chosen by the test logs in even where a
// session cookie from an earlier login exists.
function loginEveryTime() {
  const { base, Check } = interactionPolicy;
  const policy = base();
  policy.get('login').checks.add(new Check(
    'login_every_time',
    'the End-User authenticates on every authorization request',
    (ctx) => (ctx.oidc.result?.login ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT),
  ));
  return policy;
}

function providerConfiguration(config) {
  const salt = config.pairwise_salt ?? DEFAULT_PAIRWISE_SALT;
  return {
    clients: config.clients.map((client) => ({
      client_id: client.client_id,
      redirect_uris: client.redirect_uris,
      jwks: client.jwks,
      application_type: 'web',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      subject_type: 'pairwise',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      id_token_signed_response_alg: 'ES256',
    })),
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256'],
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: async (ctx, accountId, client) => pairwiseSubject(client.sectorIdentifier, accountId, salt),
    scopes: ['openid', 'profile', 'address'],
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub'],
      profile: ['name', 'birthdate', 'gender'],
      address: ['address'],
    },
    conformIdTokenClaims: false,
    findAccount: async (ctx, accountId) => {
      const account = config.accounts[accountId];
      if (account === undefined) {
        return undefined;
      }
      return { accountId, claims: async () => ({ sub: accountId, ...account }) };
    },
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    interactions: {
      policy: loginEveryTime(),
      url: (ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: true },
    },
    // Lifetimes in seconds.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJsonBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY_BYTES) {
      throw new ConfigError(`the body is larger than ${MAX_CONTROL_BODY_BYTES} bytes; send a small JSON object`);
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ConfigError('the body is not valid JSON; send {"account_id": "..."} or {"error": "access_denied"}');
  }
}

// Parses the body of POST /__test/next-login into the next login's outcome.
function parseNextLogin(body, accounts) {
  if (!isObject(body)) {
    throw new ConfigError('send a JSON object: {"account_id": "..."} or {"error": "access_denied"}');
  }
  if (body.error !== undefined) {
    if (!LOGIN_ERRORS.has(body.error)) {
      throw new ConfigError(`error ${JSON.stringify(body.error)} is not supported; use one of ${[...LOGIN_ERRORS].join(', ')}`);
    }
    const description = body.error_description ?? 'the End-User did not log in';
    return { error: body.error, error_description: String(description) };
  }
  if (typeof body.account_id !== 'string' || !(body.account_id in accounts)) {
    throw new ConfigError(`account_id is missing or not a configured account; use one of ${Object.keys(accounts).join(', ')}`);
  }
  return { accountId: body.account_id };
}

// A different account logging in where a session exists makes oidc-provider
// render a logout confirmation form, which a test driving HTTP by hand
// cannot submit. The chosen account replaces the session instead, so the old
// session is destroyed and the interaction drops its reference to it.
async function forgetOtherSession(provider, details, accountId) {
  if (details.session === undefined || details.session.accountId === accountId) {
    return;
  }
  const session = await provider.Session.find(details.session.cookie);
  await session?.destroy();
  details.session = undefined;
  await details.save(details.exp - Math.floor(Date.now() / 1000));
}

// Finishes one interaction: logs in the chosen account, or grants what the
// consent prompt found missing.
async function finishInteraction(provider, nextLogin, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  if (prompt.name === 'login') {
    if (nextLogin === null) {
      log('no_login_chosen', { interaction: details.uid, client_id: params.client_id });
      sendJson(res, 409, {
        error: 'no_login_chosen',
        error_description: `no account was chosen; POST {"account_id": "..."} to ${CONTROL_PATH} first`,
      });
      return;
    }
    if (nextLogin.error !== undefined) {
      await provider.interactionFinished(req, res, nextLogin, { mergeWithLastSubmission: false });
      return;
    }
    await forgetOtherSession(provider, details, nextLogin.accountId);
    await provider.interactionFinished(req, res, { login: { accountId: nextLogin.accountId } });
    return;
  }
  if (prompt.name !== 'consent') {
    log('unexpected_prompt', { interaction: details.uid, prompt: prompt.name });
    sendJson(res, 500, { error: 'server_error', error_description: `unexpected prompt ${prompt.name}` });
    return;
  }
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) {
    grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  }
  if (missing.missingOIDCClaims) {
    grant.addOIDCClaims(missing.missingOIDCClaims);
  }
  const savedGrantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId: savedGrantId } });
}

function logProviderErrors(provider) {
  const describe = (error) => ({ error: error.error ?? error.name, error_description: error.error_description ?? error.message });
  provider.on('server_error', (ctx, error) => log('server_error', { path: ctx.path, ...describe(error), stack: error.stack }));
  for (const name of ['authorization.error', 'grant.error', 'userinfo.error', 'jwks.error', 'discovery.error']) {
    provider.on(name, (ctx, error) => log(name, { path: ctx.path, ...describe(error) }));
  }
}

function main() {
  let port;
  let config;
  try {
    ({ port, config } = parseCommandLine());
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw error;
    }
    log('config_error', { error_description: error.message });
    process.exit(2);
  }

  let provider = null;
  let handleProviderRequest = null;
  let nextLogin = null;
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, `http://${HOST}`).pathname;
    try {
      if (path === CONTROL_PATH && req.method === 'POST') {
        nextLogin = parseNextLogin(await readJsonBody(req), config.accounts);
        sendJson(res, 200, nextLogin.error ? { error: nextLogin.error } : { account_id: nextLogin.accountId });
      } else if (path.startsWith(INTERACTION_PREFIX) && req.method === 'GET') {
        await finishInteraction(provider, nextLogin, req, res);
      } else {
        handleProviderRequest(req, res);
      }
    } catch (error) {
      if (error instanceof ConfigError) {
        log('request_rejected', { path, error_description: error.message });
        sendJson(res, 400, { error: 'invalid_request', error_description: error.message });
        return;
      }
      // oidc-provider's errors carry an OAuth error and a status, such as
      // SessionNotFound for an interaction whose cookies are missing.
      log('request_failed', { path, error: error.error ?? error.name, error_description: error.error_description ?? error.message });
      sendJson(res, error.status ?? 500, {
        error: error.error ?? 'server_error',
        error_description: error.error_description ?? error.message,
      });
    }
  });

  server.listen(port, HOST, async () => {
    const actualPort = server.address().port;
    const issuer = `http://${HOST}:${actualPort}`;
    try {
      provider = new Provider(issuer, providerConfiguration(config));
      // oidc-provider checks client metadata on first use, so each client is
      // looked up once here to report a bad client before the ready line.
      for (const client of config.clients) {
        await provider.Client.find(client.client_id);
      }
    } catch (error) {
      log('config_error', { error: error.error ?? error.name, error_description: error.error_description ?? error.message });
      process.exit(2);
    }
    handleProviderRequest = provider.callback();
    logProviderErrors(provider);
    log('started', { issuer, clients: config.clients.length, accounts: Object.keys(config.accounts).length });
    process.stdout.write(`${JSON.stringify({ issuer, port: actualPort })}\n`);
  });
  server.on('error', (error) => {
    log('listen_failed', { port, error: error.code, error_description: error.message });
    process.exit(1);
  });

  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      log('stopping', { signal });
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}

main();
