import { test, expect } from './fixtures';
import { adminApi, checkA11y, hydrated, signIn, unique } from './helpers';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';

test.describe('account', () => {
  test('lists where you are signed in and signs out the other sessions', async ({ page, browser }) => {
    const elsewhere = await browser.newContext({ userAgent: FIREFOX });
    const other = await elsewhere.newPage();
    await signIn(other);

    await signIn(page);
    await page.getByTestId('signed-in-as').click();
    await expect(page).toHaveURL(/\/account$/);
    await hydrated(page);
    await checkA11y(page);
    await expect(page.getByRole('heading', { name: 'Where you are signed in' })).toBeVisible();
    const current = page.locator('[data-testid="session"][data-current="true"]');
    await expect(current).toHaveCount(1);
    await expect(current).toContainText('This session');
    await expect(page.locator('[data-testid="session"]', { hasText: 'Firefox 140 on Windows' })).toHaveCount(1);

    await page.getByRole('button', { name: /Sign out all other sessions/ }).click();
    await expect(page.locator('[data-testid="session"]')).toHaveCount(1);
    await expect(page.getByRole('button', { name: /Sign out all other sessions/ })).toHaveCount(0);

    await other.goto('/users');
    await expect(other.getByRole('link', { name: 'sign in', exact: true })).toBeVisible();
    await expect(other.getByTestId('signed-in-as')).toHaveCount(0);
    await elsewhere.close();
  });

  test('changes your own password and email, each with the current password', async ({ page, request }) => {
    const api = await adminApi(request);
    const username = unique('self');
    const password = 'my first passphrase';
    const made = await api.post('/api/admin/users', {
      data: { username, email: `${username}@example.com`, name_first: 'Self', name_last: 'Service', password },
    });
    expect(made.status()).toBe(200);

    await signIn(page, username, password);
    await page.goto('/account');
    await hydrated(page);
    await page.getByLabel('Current password').fill('not my passphrase');
    await page.getByLabel('New password').fill('my second passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('is not your current password')).toBeVisible();
    await page.getByLabel('Current password').fill(password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('Your password is changed.')).toBeVisible();

    await page.getByLabel('New email').fill(`${username}@moved.example.com`);
    await page.getByLabel('Password to confirm').fill('my second passphrase');
    await page.getByRole('button', { name: 'Change email' }).click();
    await expect(page.getByText('Your email address is changed.')).toBeVisible();
    await page.screenshot({ path: 'test-results/account-credentials.png', fullPage: true });

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.goto('/sign-in');
    await hydrated(page);
    await page.getByLabel('Username or email').fill(`${username}@moved.example.com`);
    await page.getByLabel('Password').fill('my second passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/users/);
    await expect(page.getByTestId('signed-in-as')).toHaveText(username);
  });

  for (const [shape, shown] of [
    ['Unreadable', 'The request could not be read. Please check the form and try again.'],
    ['Unreachable', 'Roster could not be reached. Check your connection.'],
    ['Nonsense', 'The request could not be read. Please check the form and try again.'],
  ]) {
    test(`an error planted in the address (${shape}) is not shown as the server's words`, async ({ page }) => {
      const planted = 'Your account is locked. Call +1 555 0100 now.';
      const json = JSON.stringify({ [shape]: planted });
      const encoded = Buffer.from(json).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
      await page.goto(`/sign-in?__err=${encodeURIComponent(encoded)}&__path=${encodeURIComponent('/_roster/auth/sign_in')}`);
      await hydrated(page);
      await expect(page.getByRole('alert')).toHaveText(shown);
      await expect(page.getByText(planted)).toHaveCount(0);
    });
  }
});
