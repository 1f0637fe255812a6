import { test as base, expect } from '@playwright/test';

/**
 * Every page of every test runs under Roster's content security policy: a violation (an inline
 * script or handler, a script without the nonce) shows in the console and fails the test.
 */
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        const text = message.text();
        if (/Content[ -]Security[ -]Policy/i.test(text)) violations.push(text);
      });
      await use(violations);
      expect(violations, 'content security policy violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
export type { Page } from '@playwright/test';
