// Boot and hash router. `#/<page>/<param>/<param>?a=b` loads js/pages/<page>.js and calls
// `render(root, params, ctx)`; a render may return a function, called when the user leaves the page.
import { api, onActivity, onSessionLost, setCsrfToken } from './api.js';
import { NAV, ROLE_LABELS } from './nav.js';
import { clear, confirmDialog, el, hideBanner, showError } from './ui.js';

const PAGE_NAME = /^[a-z][a-z0-9-]*$/;
const state = { session: null, dispose: null, generation: 0, leaveGuard: null, hash: '', idleTimer: null };

// When the idle limit has passed without a call, ask the server: if the session is gone (no other tab
// kept it alive) the user sees the login page with the expiry notice at once, not on the next click.
function watchIdle() {
  clearTimeout(state.idleTimer);
  if (!state.session) return;
  const seconds = state.session.idle_timeout_seconds || 1800;
  state.idleTimer = setTimeout(() => {
    api.get('/staff/v1/auth/session').then(() => {}, () => {});
  }, (seconds + 5) * 1000);
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const cut = raw.indexOf('?');
  const path = cut < 0 ? raw : raw.slice(0, cut);
  const search = cut < 0 ? '' : raw.slice(cut + 1);
  const segments = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  return { page: segments[0] || '', params: segments.slice(1), query: new URLSearchParams(search), path };
}

export function navigate(hash) {
  const target = hash.startsWith('#') ? hash : `#${hash}`;
  if (location.hash === target) route();
  else location.hash = target;
}

function hasRole(...roles) {
  const mine = state.session ? state.session.user.roles : [];
  return roles.flat().some((role) => mine.includes(role));
}

function allowedNav() {
  return NAV.filter((entry) => hasRole(entry.roles));
}

function defaultHash() {
  const first = allowedNav()[0];
  return first ? `#/${first.page}` : '#/welcome';
}

function setSession(session) {
  state.session = session;
  setCsrfToken(session ? session.csrf_token : null);
  watchIdle();
  const box = document.getElementById('user-box');
  const nav = document.getElementById('nav');
  box.hidden = !session;
  nav.hidden = !session;
  if (!session) return;
  document.getElementById('user-name').textContent = session.user.display_name || session.user.username;
  document.getElementById('user-roles').textContent = session.user.roles.map((r) => ROLE_LABELS[r] || r).join('、');
}

function renderNav(page) {
  const nav = document.getElementById('nav');
  clear(nav, el('ul', {}, allowedNav().map((entry) => el('li', {},
    el('a', { href: `#/${entry.page}`, class: entry.page === page ? 'active' : undefined, dataset: { page: entry.page } },
      entry.label)))));
}

function sessionLost() {
  const { page, path } = parseHash();
  setSession(null);
  if (page === 'login') return;
  navigate(`#/login?expired=1&next=${encodeURIComponent(path)}`);
}

const ctx = {
  get session() { return state.session; },
  get user() { return state.session && state.session.user; },
  api,
  hasRole,
  navigate,
  // After login (pages/login.js): remember the session and go where the user was headed.
  signedIn(session, next) {
    setSession(session);
    navigate(next ? `#/${next}` : defaultHash());
  },
  // fn() -> true while the page has unsaved changes: leaving then asks first (cleared on every page change).
  guardLeave(fn) {
    state.leaveGuard = fn;
  },
  setTitle(text) {
    document.title = text ? `${text} · 一网通办工作台` : '一网通办工作台';
  },
  defaultHash,
};

async function mayLeave(page) {
  const guard = state.leaveGuard;
  if (!guard || page === 'login' || location.hash === state.hash || !guard()) return true;
  const target = location.hash;
  history.replaceState(null, '', state.hash || '#/');
  if (!(await confirmDialog('有未保存的修改，离开将丢失这些修改。确定离开？', { ok: '离开' }))) return false;
  state.leaveGuard = null;
  history.replaceState(null, '', target);
  return true;
}

async function route() {
  const { page, params, query, path } = parseHash();
  if (!(await mayLeave(page))) return;
  const generation = ++state.generation;
  state.hash = location.hash;
  state.leaveGuard = null;
  if (state.dispose) {
    try { state.dispose(); } catch (error) { console.warn(error); }
    state.dispose = null;
  }
  hideBanner();
  const root = document.getElementById('page');
  if (!state.session && page !== 'login') {
    navigate(`#/login?next=${encodeURIComponent(path)}`);
    return;
  }
  if (!page) {
    navigate(defaultHash());
    return;
  }
  if (!PAGE_NAME.test(page)) {
    clear(root, el('p', { class: 'empty-page' }, '页面不存在'));
    return;
  }
  const entry = NAV.find((e) => e.page === page);
  if (state.session) renderNav(page);
  if (entry && !hasRole(entry.roles)) {
    clear(root, el('p', { class: 'empty-page' }, '您没有访问此页面的权限'));
    return;
  }
  ctx.setTitle(entry ? entry.label : '');
  clear(root, el('p', { class: 'muted' }, '正在加载…'));
  try {
    const module = await import(`./pages/${page}.js`);
    if (generation !== state.generation) return;
    const pageRoot = el('div', { class: `page-${page}` });
    clear(root, pageRoot);
    const dispose = await module.render(pageRoot, params, { ...ctx, query });
    if (typeof dispose === 'function') {
      if (generation === state.generation) state.dispose = dispose;
      else dispose();
    }
  } catch (error) {
    if (generation !== state.generation) return;
    const message = error && error.name === 'TypeError' && /import|module/i.test(error.message)
      ? '页面不存在或加载失败' : (error && error.message) || '页面加载失败';
    clear(root, el('p', { class: 'empty-page' }, message));
    showError(error);
  }
}

async function logout() {
  try {
    await api.post('/staff/v1/auth/logout', undefined, { quietSession: true });
  } catch (error) {
    if (error.status !== 401) showError(error);
  }
  setSession(null);
  document.getElementById('toasts').replaceChildren();
  navigate('#/login');
}

async function boot() {
  onSessionLost(sessionLost);
  onActivity(watchIdle);
  document.getElementById('logout').addEventListener('click', logout);
  try {
    setSession(await api.get('/staff/v1/auth/session', { quietSession: true }));
  } catch (error) {
    if (error.status !== 401) showError(error);
    setSession(null);
  }
  window.addEventListener('hashchange', route);
  await route();
}

boot();
