// A real OpenID Connect provider (panva/oidc-provider) for leadgate's login tests.
//
// Listens on 127.0.0.1 (a free port), prints one JSON line {"issuer": ...} on stdout once it
// accepts requests, and runs until its stdin closes (so it dies with the test process).
//
// Real protocol throughout: discovery, dynamic client registration (/reg), authorization
// code flow with PKCE required for every client, ID tokens signed with the key below.
// Test-only additions, all under /__harness/:
//   - the login interaction is a plain HTML form (/interaction/:uid) that accepts any email;
//     the account's `sub` is derived from the email, so it is stable across sign-ins;
//   - consent is granted automatically (first-party clients), so no consent page;
//   - POST /__harness/next-id-token {"client_id": ..., "claims": {...}, "remove": [...],
//     "sign_with": "provider"|"foreign"|"none"} makes the next token response to that client
//     carry an ID token with those claims changed (re-signed with the provider's own key
//     unless told otherwise), to prove the relying party refuses a wrong nonce, audience,
//     issuer, an expired or a forged token.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const SIGNING_ALG = 'RS256';

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' } };
}

const providerKey = await signingKey('harness-key-1');
// Same kid, different key: a token signed with it must fail signature verification.
const foreignKey = await signingKey('harness-key-1');

function subjectFor(email) {
  return `sub-${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

// Accounts exist from their first sign-in on: sub -> email.
const accounts = new Map();
let nextIdToken = null;

async function rewriteIdToken(original, override) {
  const header = decodeProtectedHeader(original);
  const claims = { ...decodeJwt(original), ...(override.claims ?? {}) };
  for (const name of override.remove ?? []) delete claims[name];
  if (override.sign_with === 'none') {
    const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
  }
  const key = override.sign_with === 'foreign' ? foreignKey : providerKey;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: header.alg, kid: header.kid, typ: header.typ })
    .sign(key.privateKey);
}

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  jwks: { keys: [providerKey.jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  responseTypes: ['code'],
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Put the scope's claims in the ID token itself, as most workforce providers do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, accountId) {
    const email = accounts.get(accountId);
    if (email === undefined) return undefined;
    return {
      accountId,
      async claims() {
        return {
          sub: accountId,
          email,
          email_verified: !email.startsWith('unverified'),
          name: email.split('@')[0],
        };
      },
    };
  },
  // Auto-approve consent: the relying party under test is first-party.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  await next();
  const idToken = ctx.path === '/token' && ctx.status === 200 ? ctx.body?.id_token : undefined;
  // Only the client the override names is affected, so concurrent or failed tests cannot
  // leave a tampered token for someone else.
  if (idToken && nextIdToken && decodeJwt(idToken).aud === nextIdToken.client_id) {
    const override = nextIdToken;
    nextIdToken = null;
    ctx.body = { ...ctx.body, id_token: await rewriteIdToken(idToken, override) };
  }
});

const providerCallback = provider.callback();

async function interaction(req, res, url) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    const action = `/interaction/${escapeHtml(details.uid)}/login`;
    const hint = escapeHtml(details.params.login_hint ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Test provider sign-in</title>
<form method="post" action="${action}"><input name="email" value="${hint}"><button>Sign in</button></form>`);
    return;
  }
  if (req.method === 'POST' && url.pathname.endsWith('/login')) {
    const email = ((await readForm(req)).get('email') ?? '').trim().toLowerCase();
    const accountId = subjectFor(email);
    accounts.set(accountId, email);
    await provider.interactionFinished(req, res, { login: { accountId } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }
  res.writeHead(405).end();
}

server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname === '/__harness/next-id-token' && req.method === 'POST') {
      nextIdToken = await readJson(req);
      res.writeHead(204).end();
    } else if (url.pathname.startsWith('/interaction/')) {
      await interaction(req, res, url);
    } else {
      providerCallback(req, res);
    }
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
  }
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
