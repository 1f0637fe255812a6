import { expect, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const ADMIN = { username: 'e2eadmin', password: 'e2e admin password' };

let counter = 0;
/** A name no other test of this run uses. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now() % 100000}${counter}`;
}

export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export async function signIn(page: Page, user = ADMIN.username, password = ADMIN.password) {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Username or email').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(user);
}

/** An API client signed in as the admin, for arranging data. */
export async function adminApi(request: APIRequestContext) {
  const response = await request.post('/api/auth/login', { data: { user: ADMIN.username, password: ADMIN.password } });
  expect(response.status()).toBe(200);
  return request;
}

export async function createUser(request: APIRequestContext, username: string) {
  const response = await request.post('/api/admin/users', {
    data: { username, email: `${username}@example.com`, name_first: 'Test', name_last: 'Person' },
  });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()).user as { uuid: string; username: string };
}

/** Fails on serious or critical accessibility violations. */
export async function checkA11y(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Waits for the mail to `address` that the run's SMTP server received, and answers its link. */
export async function mailedLink(address: string): Promise<string> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = process.env.E2E_MAIL_DIR as string;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    for (const file of readdirSync(dir).sort().reverse()) {
      const text = readFileSync(join(dir, file), 'utf8');
      if (!text.includes(`To: ${address}`)) continue;
      const decoded = text.replace(/=\n/g, '').replace(/=3D/g, '=');
      const link = decoded.match(/http:\/\/\S+?\/reset-password\?token=[A-Za-z0-9_-]+/);
      if (link) return link[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no mail to ${address}`);
}

function base32Bytes(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of a base32 secret at a time in ms. */
export async function totp(secret: string, at = Date.now()): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', base32Bytes(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value =
    (((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3]) %
    1_000_000;
  return String(value).padStart(6, '0');
}
