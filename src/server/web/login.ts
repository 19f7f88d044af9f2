/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The login page: posts the form to /api/login; the server sets the session cookie. */
import { api, byId, showError } from './common.js';

const form = byId<HTMLFormElement>('login-form');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  try {
    await api('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: data.get('user'), password: data.get('password') }),
    });
    location.assign('/');
  } catch (error) {
    showError(error);
  }
});
