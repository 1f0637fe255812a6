import { test, expect, type Page } from './fixtures';
import { adminApi, hydrated, signIn, totp, unique } from './helpers';

/** Chromium's virtual authenticator (DevTools' WebAuthn domain): a platform authenticator that
 *  keeps passkeys and verifies its user, as a laptop's fingerprint reader does. */
async function authenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

test('passkeys: register one, sign in with it alone, use it at the code step, and an admin removes it', async ({ page, request }) => {
  const api = await adminApi(request);
  const username = unique('pk');
  const password = 'passkey user password';
  const made = await api.post('/api/admin/users', {
    data: { username, email: `${username}@example.com`, name_first: 'Pass', name_last: 'Key', password },
  });
  expect(made.status()).toBe(200);
  const { user } = await made.json();
  const { cdp, authenticatorId } = await authenticator(page);

  // Registering: a name, the browser's prompt (answered by the authenticator), the list.
  await signIn(page, username, password);
  await page.goto('/account');
  await hydrated(page);
  const keys = page.getByRole('region', { name: 'Passkeys and security keys' });
  await keys.getByLabel('Name').fill('Laptop');
  await keys.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(keys.getByText('Passkey added.')).toBeVisible();
  await expect(keys.getByTestId('security-key')).toHaveCount(1);
  await expect(keys.getByTestId('security-key')).toContainText('Laptop · never used');
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential, 'a passkey, kept by the authenticator').toBe(true);

  // Signing in with the passkey alone: no name, no password.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(username);
  const counted = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(counted.credentials[0].signCount, 'the authenticator signed once').toBeGreaterThan(0);

  // With two-factor sign-in on, the key stands in for the code.
  await page.goto('/account');
  await hydrated(page);
  await expect(keys.getByTestId('security-key')).toContainText('Laptop · last used');
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  await page.getByLabel('Code from the app').fill(await totp(secret));
  await page.getByLabel('Your password').fill(password);
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Use a security key instead' }).click();
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(username);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();

  // An admin turns off the user's two-factor sign-in: their keys go with it, and the passkey
  // the authenticator still holds opens nothing.
  await signIn(page);
  await page.goto(`/users/${user.uuid}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
  await expect(page.getByText('Two-factor sign-in is off for this user.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page.getByRole('alert')).toHaveText('Failed to finish security key authentication.');
  await expect(page).toHaveURL(/\/sign-in/);
});
