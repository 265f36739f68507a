import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Bearer-token auth: 401 when the token is missing, 403 when it is wrong; compared in constant time. */
export function requireBearerToken(expected: string): RequestHandler {
  const expectedDigest = digest(expected);
  return (req, res, next) => {
    const header = req.get('authorization');
    const match = header?.match(/^Bearer\s+(.+)$/i);
    if (!match) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json({ error: 'unauthorized', message: 'Send the admin token as "Authorization: Bearer <token>".' });
      return;
    }
    if (!timingSafeEqual(digest(match[1]!), expectedDigest)) {
      res.status(403).json({ error: 'forbidden', message: 'The admin token is not valid.' });
      return;
    }
    next();
  };
}
