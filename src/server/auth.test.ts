import { describe, expect, it } from 'vitest';
import { Authenticator, cookieValue, parseUsers, userLine } from './auth.js';

describe('Authenticator', () => {
  it('limits failures per client within the window, then forgets them', async () => {
    let now = 1_000_000;
    const users = parseUsers(await userLine('ann', 'read', 'ann-secret'), 'users');
    const auth = new Authenticator({ users, maxFailures: 2, failureWindowSeconds: 60, now: () => now });
    await expect(auth.login('10.0.0.1', 'ann', 'x')).rejects.toThrow('wrong user name or password');
    now += 30_000;
    await expect(auth.login('10.0.0.1', 'nobody', 'x')).rejects.toThrow('wrong user name or password');
    await expect(auth.login('10.0.0.1', 'ann', 'ann-secret')).rejects.toThrow(
      'too many failed logins from 10.0.0.1; try again in 30 s',
    );
    // Another client is not affected.
    expect((await auth.login('10.0.0.2', 'ann', 'ann-secret')).session.role).toBe('read');
    now += 30_001;
    expect((await auth.login('10.0.0.1', 'ann', 'ann-secret')).session.user).toBe('ann');
  });

  it('expires sessions', async () => {
    let now = 0;
    const auth = new Authenticator({ token: 'tok', sessionSeconds: 10, now: () => now });
    const { id } = await auth.login('c', 'token', 'tok');
    expect(auth.identify('c', undefined, id)).toMatchObject({ user: 'token', role: 'read' });
    now = 10_000;
    expect(auth.identify('c', undefined, id)).toBeUndefined();
    expect(auth.identify('c', undefined, undefined)).toBeUndefined();
  });

  it('without token or users everyone is the anonymous admin', () => {
    expect(new Authenticator({}).identify('c', undefined, undefined)).toMatchObject({ role: 'admin' });
  });

  it('reads one cookie from a Cookie header', () => {
    expect(cookieValue('a=1; nl_session=xyz; b=2', 'nl_session')).toBe('xyz');
    expect(cookieValue('a=1', 'nl_session')).toBeUndefined();
    expect(cookieValue(undefined, 'nl_session')).toBeUndefined();
  });
});
