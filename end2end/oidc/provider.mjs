// A real OpenID provider (npm's certified `oidc-provider`) for Roster's tests, with its
// development sign-in pages: any login signs in as the account of that name.
//
//   node oidc/provider.mjs <port> <client_id> <client_secret> <redirect_uri>...
//
// Accounts: `sub` is the login; `email`, `given_name` and `family_name` follow from it; a login
// starting with `staff` is in the `staff` group. Prints `ready <issuer>` once it listens.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, ...redirectUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

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
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['roster-tests-only'] },
  // Userinfo answers for the access token alone, as OAuth-only providers do.
  conformIdTokenClaims: false,
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
