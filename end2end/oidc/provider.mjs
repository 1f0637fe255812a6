// A real OpenID provider (npm's certified `oidc-provider`) for Roster's tests, with its
// development sign-in pages: any login signs in as the account of that name.
//
//   node oidc/provider.mjs <port> <client_id> <client_secret> <redirect_uri>...
//
// Accounts: `sub` is the login; `email`, `given_name` and `family_name` follow from it; a login
// starting with `staff` is in the `staff` group. Prints `ready <issuer>` once it listens.
//
// `ROSTER_OIDC_FORGE` makes it a provider gone wrong, to show that Roster checks what it is
// sent: the ID token of each token reply is signed again with one thing changed: `audience`
// (issued to another client), `issuer` (by another issuer), `expired` (an hour ago) or `key`
// (with a key the provider does not publish).
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';

const [port, clientId, clientSecret, ...redirectUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const forge = process.env.ROSTER_OIDC_FORGE || '';

const kid = 'roster-tests';
const signing = await generateKeyPair('RS256', { extractable: true });
const stranger = await generateKeyPair('RS256', { extractable: true });
const published = { ...(await exportJWK(signing.privateKey)), kid, alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email'],
    profile: ['given_name', 'family_name', 'groups'],
  },
  async findAccount(ctx, id) {
    const name = id.replace(/[^A-Za-z0-9_]/g, '');
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${name}@idp.example`,
          given_name: name.charAt(0).toUpperCase() + name.slice(1),
          family_name: 'Provided',
          groups: id.startsWith('staff') ? ['staff'] : ['customers'],
        };
      },
    };
  },
  jwks: { keys: [published] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['roster-tests-only'] },
  // Userinfo answers for the access token alone, as OAuth-only providers do.
  conformIdTokenClaims: false,
});
provider.proxy = false;

async function forged(idToken) {
  const claims = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (forge === 'audience') claims.aud = 'another-client';
  if (forge === 'issuer') claims.iss = 'http://127.0.0.1:1';
  if (forge === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  const key = forge === 'key' ? stranger.privateKey : signing.privateKey;
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
}

if (forge) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.body && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: await forged(ctx.body.id_token) };
    }
  });
}
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
