import { isIP } from 'node:net';
import type { FastifyReply } from 'fastify';

/** Loopback and private ranges are the structure's network; anything else is a remote access for the RIE. */
export function isRemote(ip: string): boolean {
  if (isIP(ip) === 0) return true;
  const v4 = ip.replace(/^::ffff:/, '');
  return !(
    /^127\./.test(v4) ||
    /^10\./.test(v4) ||
    /^192\.168\./.test(v4) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(v4) ||
    ip === '::1' ||
    /^f[cd]/i.test(ip)
  );
}

/** A client that vanished mid-login is judged as the most exposed service. */
export const fallbackProfile = {
  processesHealthData: true,
  shared: true,
  integratesShared: true,
  externalAccess: true,
  newUsagersPerYear: 0,
  professionalsPerYear: 0,
};

export const html = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').send(body);
