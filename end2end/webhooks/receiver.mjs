// A webhook receiver for Roster's tests: it verifies every delivery with the published Standard
// Webhooks library and keeps what it got. `node receiver.mjs <port>`; then
//   POST /control {"secrets": ["whsec_..."], "fail": 3, "hang": false}  sets it up (and forgets),
//   GET /deliveries                                                      answers what arrived,
//   POST /hook                                                           is where Roster delivers.
// A delivery is kept with the secrets (by index) whose signature it carries; the first `fail`
// deliveries are answered 500, and with `hang` nothing is answered at all.
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const port = Number(process.argv[2] ?? 9500);
let state = { secrets: [], fail: 0, hang: false, deliveries: [], seen: 0 };

function read(request) {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => resolve(body));
  });
}

const server = http.createServer(async (request, response) => {
  const body = await read(request);
  if (request.url === '/control' && request.method === 'POST') {
    const control = JSON.parse(body);
    state = { secrets: control.secrets ?? [], fail: control.fail ?? 0, hang: !!control.hang, deliveries: [], seen: 0 };
    response.writeHead(204).end();
    return;
  }
  if (request.url === '/deliveries') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.deliveries));
    return;
  }
  if (state.hang) return;
  state.seen += 1;
  const headers = {
    'webhook-id': request.headers['webhook-id'],
    'webhook-timestamp': request.headers['webhook-timestamp'],
    'webhook-signature': request.headers['webhook-signature'],
  };
  const verifiedWith = [];
  let error = null;
  state.secrets.forEach((secret, index) => {
    try {
      new Webhook(secret).verify(body, headers);
      verifiedWith.push(index);
    } catch (e) {
      error = String(e.message ?? e);
    }
  });
  const failed = state.seen <= state.fail;
  let payload = null;
  try {
    payload = JSON.parse(body);
  } catch {
    payload = body;
  }
  state.deliveries.push({ id: headers['webhook-id'], attempt: state.seen, answered: failed ? 500 : 200, verifiedWith, error, payload });
  response.writeHead(failed ? 500 : 200, { 'content-type': 'text/plain' }).end(failed ? 'try again' : 'ok');
});
server.listen(port, "127.0.0.1", () => console.log(`ready ${port}`));
