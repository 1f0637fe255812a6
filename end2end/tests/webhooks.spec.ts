import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { test, expect } from './fixtures';
import { adminApi, checkA11y, hydrated, signIn, unique } from './helpers';

type Received = { id: string; type: string; verified: boolean; username?: string };

/** A receiver in the test, verifying every delivery with the published Standard Webhooks library. */
async function receiver() {
  const got: Received[] = [];
  const secrets: string[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const headers = {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      };
      const verified = secrets.length > 0 && secrets.every((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const payload = JSON.parse(body);
      got.push({ id: headers['webhook-id'], type: payload.type, verified, username: payload.data?.object?.username });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { got, secrets, url: `http://127.0.0.1:${port}/hook`, close: () => server.close() };
}

test('an endpoint made on the Webhooks page hears a create, a console edit and a suspension, signed and in order; test events, resend and rotation', async ({ page, request }) => {
  const hook = await receiver();
  const api = await adminApi(request);
  await signIn(page);
  await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await hydrated(page);
  await page.getByLabel('URL').fill(hook.url);
  await page.getByLabel('Events').fill('user:*, webhook:test');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secret = (await page.getByTestId('webhook-secret').textContent()) ?? '';
  expect(secret).toMatch(/^whsec_/);
  hook.secrets.push(secret);
  await checkA11y(page);

  const username = unique('hooked');
  const made = await api.post('/api/admin/users', {
    data: { username, email: `${username}@example.com`, name_first: 'Hoo', name_last: 'Ked' },
  });
  const { user } = await made.json();
  await page.goto(`/users/${user.uuid}`);
  await hydrated(page);
  await page.getByLabel('First name').fill('Renamed');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await page.getByLabel(/Suspended/).check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  await expect.poll(() => hook.got.filter((g) => g.username === username).length, { timeout: 15_000 }).toBe(3);
  const mine = hook.got.filter((g) => g.username === username);
  expect(mine.map((g) => g.type)).toEqual(['user:create', 'user:update', 'user:update']);
  expect(mine.every((g) => g.verified)).toBe(true);
  expect(new Set(mine.map((g) => g.id)).size).toBe(3);

  await page.goto('/webhooks');
  await hydrated(page);
  const card = page.getByTestId('webhook').filter({ hasText: hook.url });
  await card.getByRole('button', { name: 'Send test event' }).click();
  await expect.poll(() => hook.got.filter((g) => g.type === 'webhook:test').length, { timeout: 15_000 }).toBe(1);
  await page.reload();
  await hydrated(page);
  await expect(card.getByTestId('delivery').first()).toContainText('webhook:test');
  await expect(card.getByTestId('delivery').first()).toContainText('delivered');
  await page.screenshot({ path: 'test-results/webhooks.png', fullPage: true });

  await card.getByTestId('delivery').first().getByRole('button', { name: 'Resend' }).click();
  await expect.poll(() => hook.got.filter((g) => g.type === 'webhook:test').length, { timeout: 15_000 }).toBe(2);

  await card.getByRole('button', { name: 'Rotate secret' }).click();
  const rotated = (await page.getByTestId('webhook-secret').textContent()) ?? '';
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(secret);
  hook.secrets.push(rotated);
  await card.getByRole('button', { name: 'Send test event' }).click();
  // Verified with both the old and the new secret.
  await expect.poll(() => hook.got.filter((g) => g.type === 'webhook:test').length, { timeout: 15_000 }).toBe(3);
  expect(hook.got.filter((g) => g.type === 'webhook:test').every((g) => g.verified)).toBe(true);
  hook.close();
});
