import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A real SMTP server for the run: Roster delivers its mail here over SMTP, and each message
 * lands as a file in E2E_MAIL_DIR for the tests to read.
 */
export default async function globalSetup() {
  const dir = process.env.E2E_MAIL_DIR as string;
  mkdirSync(dir, { recursive: true });
  let received = 0;
  const server = createServer((socket) => {
    socket.write('220 inbox.test ESMTP\r\n');
    let buffer = '';
    let message: string | null = null;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (message !== null) {
          if (line === '.') {
            received += 1;
            writeFileSync(join(dir, `${Date.now()}-${received}.eml`), message);
            message = null;
            socket.write('250 queued\r\n');
          } else {
            message += `${line}\n`;
          }
          continue;
        }
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') socket.write('250-inbox.test\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          message = '';
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.write('221 bye\r\n');
          socket.end();
        } else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.E2E_SMTP_PORT), '127.0.0.1', resolve),
  );
  return async () => {
    server.close();
  };
}
