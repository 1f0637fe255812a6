import { test, expect } from './fixtures';
import { hydrated, signIn } from './helpers';

test('the API reference renders every route with no way out to the internet', async ({ page, baseURL }) => {
  const outside: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(baseURL!)) return route.continue();
    outside.push(url);
    return route.abort();
  });

  await signIn(page);
  await hydrated(page);
  await page.getByRole('link', { name: 'API reference' }).click();
  await expect(page).toHaveURL(/\/api\/docs$/);
  await expect(page.locator('.swagger-ui .info .title')).toContainText('Roster');

  const spec = await (await page.request.get('/api/openapi.json')).json();
  const expected: string[] = [];
  for (const [path, item] of Object.entries<Record<string, unknown>>(spec.paths)) {
    for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
      if (item[method]) expected.push(`${method.toUpperCase()} ${path}`);
    }
  }
  expect(expected.length).toBeGreaterThan(30);
  // The messages webhook endpoints receive are shown too, one per event.
  const webhooks = Object.keys(spec.webhooks ?? {});
  expect(webhooks).toContain('user:update');
  const shown = page.locator('.opblock-summary');
  await expect(shown).toHaveCount(expected.length + webhooks.length);
  const rendered = await shown.evaluateAll((blocks) =>
    blocks.map((block) => {
      const method = block.querySelector('.opblock-summary-method')?.textContent?.trim();
      const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path');
      return `${method} ${path}`;
    }),
  );
  expect(rendered.filter((r) => r.includes(' /')).sort()).toEqual(expected.sort());
  expect(outside, 'requests that left Roster').toEqual([]);
});
