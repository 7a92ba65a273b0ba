// Sign-in form. ?next=<path> is where to go afterwards; ?expired=1 says why the user is here.
import { api } from '../api.js';
import { el } from '../ui.js';

function lockMessage(error) {
  const seconds = Number(error.details.retry_after);
  if (!seconds) return error.message;
  const minutes = Math.ceil(seconds / 60);
  return `${error.message}（约 ${minutes} 分钟后可再试）`;
}

export async function render(root, params, ctx) {
  ctx.setTitle('登录');
  const next = ctx.query.get('next') || '';
  if (ctx.session && !ctx.query.get('expired')) {
    ctx.navigate(next ? `#/${next}` : ctx.defaultHash());
    return;
  }
  const username = el('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, maxlength: 64 });
  const password = el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = el('p', { class: 'login-message', id: 'login-message', role: 'alert', hidden: true });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'login-submit' }, '登录');
  const notice = ctx.query.get('expired')
    ? el('p', { class: 'login-expired', id: 'login-expired' }, '登录已过期，请重新登录') : null;

  const form = el('form', { class: 'login-form', novalidate: true },
    el('h1', {}, '工作人员登录'), notice,
    el('label', { for: 'login-username' }, '用户名'), username,
    el('label', { for: 'login-password' }, '密码'), password,
    message, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hidden = true;
    message.textContent = '';
    if (!username.value.trim() || !password.value) {
      message.textContent = '请输入用户名和密码';
      message.hidden = false;
      return;
    }
    submit.disabled = true;
    submit.textContent = '正在登录…';
    try {
      const session = await api.post('/staff/v1/auth/login',
        { username: username.value.trim(), password: password.value }, { quietSession: true });
      ctx.signedIn(session, next);
    } catch (error) {
      message.textContent = error.code === 'account_locked' ? lockMessage(error) : error.message;
      message.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = '登录';
    }
  });
  root.append(el('div', { class: 'login-wrap' }, form));
  username.focus();
}
