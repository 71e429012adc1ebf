// The OpenID Provider the test suite logs in against: panva's oidc-provider (OpenID Certified),
// on loopback, with its development login pages, which take any account id the test submits.
//
//   node provider.js PORT CONFIG.json
//
// CONFIG.json: {"client": {client_id, client_secret, redirect_uris, post_logout_redirect_uris},
//               "accounts": {"<sub>": {"claims": {...}, "id_token_ttl": seconds}}}
// An account's claims are what the provider asserts about it (phone_number,
// phone_number_verified, name); `id_token_ttl` shortens the life of its ID tokens.
// CLOCK_SKEW_SECONDS (e.g. -600): the provider's clock runs that far off, as a provider's
// with a wrong clock would; what it signs then carries those times.
// Prints "ready" once it listens; stops when its parent closes its standard input.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const skew = Number(process.env.CLOCK_SKEW_SECONDS || 0) * 1000;
if (skew) {
  const realNow = Date.now;
  Date.now = () => realNow() + skew;
}

const port = Number(process.argv[2]);
const config = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const issuer = `http://127.0.0.1:${port}`;
const accounts = config.accounts || {};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-signing', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...config.client,
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // The profile a citizen's login asks for: who they are and their verified mobile.
  claims: {
    openid: ['sub'],
    profile: ['name'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  scopes: ['openid', 'profile', 'phone'],
  // Every client proves its code with S256 (RFC 7636): a request without it is refused.
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...(account.claims || {}) };
      },
    };
  },
  ttl: {
    IdToken(ctx, token) {
      return accounts[token.available?.sub]?.id_token_ttl ?? 3600;
    },
  },
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));

const server = provider.listen(port, '127.0.0.1', () => {
  console.log('ready');
});

process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
