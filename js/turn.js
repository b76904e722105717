'use strict';
/**
 * emrtc/js/turn — time-limited TURN credentials for coturn's REST scheme (`use-auth-secret` with
 * `static-auth-secret=SECRET` in turnserver.conf; the scheme of
 * https://datatracker.ietf.org/doc/html/draft-uberti-behave-turn-rest-00). Your game server hands
 * each player a pair made with the secret it shares with coturn; coturn checks the HMAC and refuses
 * the pair once its time is up. The secret never reaches the browser.
 *
 *   const { turnCredentials } = require('emrtc/js/turn');
 *   const { username, credential } = turnCredentials({ secret: process.env.TURN_SECRET, user: 'player42' });
 *   // give the player: urls 'turn:turn.example.org:3478?transport=udp', username, credential
 *
 * @module emrtc/js/turn
 */
const crypto = require('crypto');

/**
 * @param {{secret: string, user?: string, ttlSeconds?: number, now?: number}} options
 *   secret: coturn's static-auth-secret; user: any name (kept in coturn's log), default none;
 *   ttlSeconds: how long the pair is valid, default 86400; now: ms since the epoch (for tests).
 * @returns {{username: string, credential: string, expires: number}} username "EXPIRY[:user]"
 *   (EXPIRY in seconds since the epoch), credential base64(HMAC-SHA1(secret, username)).
 */
function turnCredentials({ secret, user = '', ttlSeconds = 86400, now = Date.now() }) {
  if (typeof secret !== 'string' || !secret) throw new TypeError('turnCredentials: secret must be a non-empty string');
  if (String(user).includes(':')) throw new TypeError('turnCredentials: user must not contain ":"');
  const expires = Math.floor(now / 1000) + Math.floor(ttlSeconds);
  const username = user ? `${expires}:${user}` : String(expires);
  const credential = crypto.createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expires };
}

module.exports = { turnCredentials };
