/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Shared by the pages: API calls (a 401 sends the browser to the login page), the navigation bar with
 * the logged-in user and a logout button, and small DOM helpers. Runs in the browser.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  const text = await response.text();
  const body = text === '' ? {} : (JSON.parse(text) as { error?: { code: string; message: string } });
  if (!response.ok) {
    if (response.status === 401 && !location.pathname.startsWith('/login')) location.assign('/login');
    throw new ApiError(response.status, body.error?.code ?? 'NL_ERR_INTERNAL', body.error?.message ?? text);
  }
  return body as T;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`page has no #${id}`);
  return node as T;
}

export function showError(error: unknown): void {
  const box = document.getElementById('error');
  if (box === null) return;
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
}

export function clearError(): void {
  const box = document.getElementById('error');
  if (box !== null) box.hidden = true;
}

/** Fills the navigation bar's user slot and wires the logout button. */
export async function setupNav(): Promise<void> {
  const session = await api<{ user: string; role: string; auth: boolean }>('/api/session');
  const slot = byId('user');
  slot.textContent = session.auth ? `${session.user} (${session.role})` : '';
  const logout = byId<HTMLButtonElement>('logout');
  logout.hidden = !session.auth;
  logout.addEventListener('click', async () => {
    await api('/api/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    location.assign('/login');
  });
}

/** UTC ISO time without milliseconds. */
export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** Makes a table sortable by clicking its headers; numeric columns (`data-numeric`) sort by value. */
export function makeSortable(table: HTMLTableElement): void {
  const headers = [...table.tHead!.rows[0]!.cells];
  headers.forEach((header, index) => {
    header.classList.add('sortable');
    header.addEventListener('click', () => {
      const numeric = header.dataset.numeric !== undefined;
      const descending = header.dataset.sort !== 'desc';
      for (const other of headers) delete other.dataset.sort;
      header.dataset.sort = descending ? 'desc' : 'asc';
      const body = table.tBodies[0]!;
      const rows = [...body.rows];
      const value = (row: HTMLTableRowElement) =>
        row.cells[index]!.dataset.value ?? row.cells[index]!.textContent ?? '';
      rows.sort((a, b) => {
        const x = value(a);
        const y = value(b);
        const order = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
        return descending ? -order : order;
      });
      body.append(...rows);
    });
  });
}
