import { test, expect } from './fixtures';
import { checkA11y, hydrated, signIn } from './helpers';

test.describe('account', () => {
  test('lists where you are signed in and signs out the other sessions', async ({ page, browser }) => {
    const elsewhere = await browser.newContext({ userAgent: 'Elsewhere Browser 1.0' });
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
    await expect(page.locator('[data-testid="session"]', { hasText: 'Elsewhere Browser 1.0' })).toHaveCount(1);

    await page.getByRole('button', { name: /Sign out all other sessions/ }).click();
    await expect(page.locator('[data-testid="session"]')).toHaveCount(1);
    await expect(page.getByRole('button', { name: /Sign out all other sessions/ })).toHaveCount(0);

    await other.goto('/users');
    await expect(other.getByRole('link', { name: 'sign in', exact: true })).toBeVisible();
    await expect(other.getByTestId('signed-in-as')).toHaveCount(0);
    await elsewhere.close();
  });
});
