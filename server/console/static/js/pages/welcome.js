// Landing page for accounts whose roles have no console page yet (e.g. an administrator only).
import { el } from '../ui.js';

export async function render(root, params, ctx) {
  ctx.setTitle('欢迎');
  root.append(el('h1', {}, `欢迎，${ctx.user.display_name || ctx.user.username}`),
    el('p', { class: 'muted' }, '您的角色暂无可用的工作台页面。'));
}
