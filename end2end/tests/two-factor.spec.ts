import { test, expect, type Page } from './fixtures';
import { adminApi, hydrated, signIn, totp, unique } from './helpers';

async function passwordStep(page: Page, username: string, password: string) {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  expect(page.url(), 'the challenge token stays out of the address').not.toContain('token');
  await hydrated(page);
}

async function codeStep(page: Page, username: string, code: string) {
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(username);
}

test('two-factor sign-in: enrol, sign in with a code, then a recovery code; an admin turns it off', async ({ page, request }) => {
  const api = await adminApi(request);
  const username = unique('tfa');
  const password = 'two factor password';
  const made = await api.post('/api/admin/users', {
    data: { username, email: `${username}@example.com`, name_first: 'Two', name_last: 'Factor', password },
  });
  expect(made.status()).toBe(200);
  const { user } = await made.json();

  await signIn(page, username, password);
  await page.goto('/account');
  await hydrated(page);
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(page.locator('.qr svg')).toBeVisible();
  await page.getByLabel('Code from the app').fill(await totp(secret));
  await page.getByLabel('Your password').fill(password);
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  const codes = page.getByTestId('recovery-codes').locator('li');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().textContent()) ?? '';

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await passwordStep(page, username, password);
  await codeStep(page, username, await totp(secret, Date.now() + 30_000));

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await passwordStep(page, username, password);
  await codeStep(page, username, recovery);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();

  await signIn(page);
  await page.goto(`/users/${user.uuid}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
  await expect(page.getByText('Two-factor sign-in is off for this user.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await signIn(page, username, password);
});
