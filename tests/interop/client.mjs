// A line-oriented driver around openid-client, for the test suite.
//
// Each line on standard input is one JSON command:
//   {"id": 1, "command": "discover", ...parameters}
// and each gets one JSON line on standard output, in order:
//   {"id": 1, "ok": true, "result": {...}}
//   {"id": 1, "ok": false, "error": {"name", "code", "message", "detail",
//                                    "error", "error_description", "status"}}
// `code` is openid-client's error code, such as OAUTH_RESPONSE_BODY_ERROR, or
// OAUTH_WWW_AUTHENTICATE_CHALLENGE for a 401 with a WWW-Authenticate header.
// `error` and `error_description` are the server's OAuth error where it sent
// one. `detail` is the message of the underlying cause. The process ends when
// standard input closes, and logs go to standard error.
//
// Commands (`config` names a discovered configuration, default "default"):
//   discover            issuer, client_id, algorithm ("oidc" or "oauth2"),
//                       client_auth ("private_key_jwt" with private_jwk,
//                       "client_secret_basic" or "client_secret_post" with
//                       client_secret, or "none"), clock_skew_seconds,
//                       client_metadata
//   client_credentials  scope, parameters
//   authorization_url   redirect_uri, scope, nonce (true to send one),
//                       parameters; returns url, code_verifier, state, nonce
//   authorization_code  callback_url, code_verifier, state, nonce,
//                       id_token_expected; checks state and iss (RFC 9207)
//   refresh             refresh_token, parameters (NOTE: not yet run against
//                       a server, since no peer here issues refresh tokens)
//   revoke              token, token_type_hint
//   introspect          token, token_type_hint
//   userinfo            access_token, expected_subject
// Token responses come back as {"token": {...}, "id_token_claims": {...}},
// where id_token_claims is null without an ID token.
//
// Plain http is allowed only for an issuer on a loopback address, because
// the tests serve every peer on 127.0.0.1.

import { createInterface } from 'node:readline';

import * as client from 'openid-client';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const DEFAULT_CONFIG = 'default';

const configurations = new Map();

class CommandError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CommandError';
    this.code = 'INVALID_COMMAND';
  }
}

function log(event, fields = {}) {
  process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`);
}

function requireString(params, name) {
  const value = params[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new CommandError(`${name} is missing or not a non-empty string`);
  }
  return value;
}

function optionalObject(params, name) {
  const value = params[name];
  if (value === undefined) {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CommandError(`${name} must be a JSON object of string values`);
  }
  return value;
}

function configurationFor(params) {
  const name = params.config ?? DEFAULT_CONFIG;
  const configuration = configurations.get(name);
  if (configuration === undefined) {
    throw new CommandError(`no configuration named ${JSON.stringify(name)}; run discover with "config": ${JSON.stringify(name)} first`);
  }
  return configuration;
}

async function importPrivateKey(jwk) {
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new CommandError('private_jwk must be a private P-256 EC JWK (kty "EC", crv "P-256", with d) for ES256');
  }
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  return { key, kid: jwk.kid };
}

async function clientAuthentication(params) {
  const method = params.client_auth ?? 'none';
  switch (method) {
    case 'private_key_jwt':
      return client.PrivateKeyJwt(await importPrivateKey(params.private_jwk));
    case 'client_secret_basic':
      return client.ClientSecretBasic(requireString(params, 'client_secret'));
    case 'client_secret_post':
      return client.ClientSecretPost(requireString(params, 'client_secret'));
    case 'none':
      return client.None();
    default:
      throw new CommandError(`client_auth ${JSON.stringify(method)} is not supported; use private_key_jwt, client_secret_basic, client_secret_post or none`);
  }
}

function isLoopbackHttp(url) {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

async function discover(params) {
  const issuer = new URL(requireString(params, 'issuer'));
  const algorithm = params.algorithm ?? 'oidc';
  if (algorithm !== 'oidc' && algorithm !== 'oauth2') {
    throw new CommandError('algorithm must be "oidc" (OpenID Connect Discovery) or "oauth2" (RFC 8414)');
  }
  const metadata = { ...optionalObject(params, 'client_metadata') };
  if (params.clock_skew_seconds !== undefined) {
    if (!Number.isInteger(params.clock_skew_seconds)) {
      throw new CommandError('clock_skew_seconds must be a whole number of seconds (server clock minus real time)');
    }
    metadata[client.clockSkew] = params.clock_skew_seconds;
  }
  const options = { algorithm, execute: isLoopbackHttp(issuer) ? [client.allowInsecureRequests] : [] };
  const configuration = await client.discovery(
    issuer,
    requireString(params, 'client_id'),
    metadata,
    await clientAuthentication(params),
    options,
  );
  configurations.set(params.config ?? DEFAULT_CONFIG, configuration);
  return { metadata: configuration.serverMetadata() };
}

function tokenResult(response) {
  return { token: { ...response }, id_token_claims: response.id_token ? response.claims() : null };
}

async function clientCredentials(params) {
  const parameters = { ...optionalObject(params, 'parameters') };
  if (params.scope !== undefined) {
    parameters.scope = requireString(params, 'scope');
  }
  const response = await client.clientCredentialsGrant(configurationFor(params), parameters);
  return tokenResult(response);
}

async function authorizationUrl(params) {
  const configuration = configurationFor(params);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const parameters = {
    ...optionalObject(params, 'parameters'),
    redirect_uri: requireString(params, 'redirect_uri'),
    scope: requireString(params, 'scope'),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
  };
  let nonce;
  if (params.nonce === true) {
    nonce = client.randomNonce();
    parameters.nonce = nonce;
  }
  const url = client.buildAuthorizationUrl(configuration, parameters);
  return { url: url.href, code_verifier: codeVerifier, state, nonce: nonce ?? null };
}

async function authorizationCode(params) {
  const checks = {
    pkceCodeVerifier: requireString(params, 'code_verifier'),
    expectedState: requireString(params, 'state'),
    idTokenExpected: params.id_token_expected === true,
  };
  if (params.nonce !== undefined && params.nonce !== null) {
    checks.expectedNonce = requireString(params, 'nonce');
  }
  const callbackUrl = new URL(requireString(params, 'callback_url'));
  const response = await client.authorizationCodeGrant(configurationFor(params), callbackUrl, checks);
  return tokenResult(response);
}

async function refresh(params) {
  const response = await client.refreshTokenGrant(
    configurationFor(params),
    requireString(params, 'refresh_token'),
    optionalObject(params, 'parameters'),
  );
  return tokenResult(response);
}

function tokenParameters(params) {
  return params.token_type_hint === undefined ? {} : { token_type_hint: requireString(params, 'token_type_hint') };
}

async function revoke(params) {
  await client.tokenRevocation(configurationFor(params), requireString(params, 'token'), tokenParameters(params));
  return {};
}

async function introspect(params) {
  const response = await client.tokenIntrospection(configurationFor(params), requireString(params, 'token'), tokenParameters(params));
  return { ...response };
}

async function userinfo(params) {
  const response = await client.fetchUserInfo(
    configurationFor(params),
    requireString(params, 'access_token'),
    requireString(params, 'expected_subject'),
  );
  return { ...response };
}

const COMMANDS = {
  discover,
  client_credentials: clientCredentials,
  authorization_url: authorizationUrl,
  authorization_code: authorizationCode,
  refresh,
  revoke,
  introspect,
  userinfo,
};

// Returns the OAuth error of a WWW-Authenticate challenge: from the
// challenge's parameters, or else from the JSON body of the response.
async function challengeError(error) {
  const parameters = error.cause?.[0]?.parameters ?? {};
  if (typeof parameters.error === 'string') {
    return { error: parameters.error, error_description: parameters.error_description };
  }
  try {
    const body = await error.response.clone().json();
    return { error: body.error, error_description: body.error_description };
  } catch {
    return {};
  }
}

async function describeError(error) {
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  const oauth = error instanceof client.WWWAuthenticateChallengeError ? await challengeError(error) : error;
  return {
    name: error.name,
    code: error.code ?? null,
    message: error.message,
    detail: cause ?? null,
    error: typeof oauth.error === 'string' ? oauth.error : null,
    error_description: typeof oauth.error_description === 'string' ? oauth.error_description : null,
    status: typeof error.status === 'number' ? error.status : null,
  };
}

async function respond(line) {
  let id = null;
  let command = null;
  try {
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      throw new CommandError('the line is not valid JSON; send one JSON object per line');
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new CommandError('the line is not a JSON object; send {"id": ..., "command": ..., ...}');
    }
    id = request.id ?? null;
    command = request.command;
    const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (handler === undefined) {
      throw new CommandError(`command ${JSON.stringify(command)} is unknown; use one of ${Object.keys(COMMANDS).join(', ')}`);
    }
    return { id, ok: true, result: await handler(request) };
  } catch (error) {
    const described = await describeError(error);
    log('command_failed', { id, command, code: described.code, error: described.error, message: described.message, detail: described.detail });
    return { id, ok: false, error: described };
  }
}

async function main() {
  log('started', { pid: process.pid });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') {
      continue;
    }
    process.stdout.write(`${JSON.stringify(await respond(line))}\n`);
  }
  log('stopped', { reason: 'standard input closed' });
}

main();
