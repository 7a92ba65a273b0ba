// Shared building blocks of console pages. All text goes through textContent: never innerHTML with data.

const CHINA_TZ = 'Asia/Shanghai';

// el('button', { class: 'btn', onclick: fn, disabled: true, dataset: { id: 1 } }, '保存', otherNode)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== 'string') node[name] = value;
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

// ---------------------------------------------------------------- messages

export function toast(message, kind = 'ok', ms = 3500) {
  const box = document.getElementById('toasts');
  const item = el('div', { class: `toast toast-${kind}`, role: 'status' }, message);
  while (box.children.length >= 3) box.firstChild.remove();
  box.append(item);
  setTimeout(() => item.remove(), ms);
}

// The page-level banner: the server's message, never a blank page. actions: [{label, onClick}]
export function showBanner(message, { kind = 'error', actions = [] } = {}) {
  const banner = document.getElementById('banner');
  clear(banner, el('span', { class: 'banner-text' }, message),
    actions.map((a) => el('button', { type: 'button', class: 'btn btn-small', onclick: a.onClick }, a.label)),
    el('button', { type: 'button', class: 'banner-close', title: '关闭', 'aria-label': '关闭', onclick: hideBanner }, '×'));
  banner.className = `banner banner-${kind}`;
  banner.hidden = false;
}

export function hideBanner() {
  const banner = document.getElementById('banner');
  banner.hidden = true;
  banner.replaceChildren();
}

export function errorMessage(error) {
  if (error && error.message) return error.message;
  return '操作失败，请稍后再试';
}

export function showError(error, options) {
  console.warn(error);
  showBanner(errorMessage(error), options);
}

// ---------------------------------------------------------------- progress

let busyDepth = 0;

// Runs fn() with a blocking progress overlay ("保存中…"); returns its result, shows its error.
// Returns undefined (and shows the error) if fn throws, unless rethrow is set.
export async function busy(label, fn, { rethrow = false } = {}) {
  const overlay = document.getElementById('busy');
  busyDepth += 1;
  document.getElementById('busy-text').textContent = label || '处理中…';
  overlay.hidden = false;
  try {
    return await fn();
  } catch (error) {
    if (rethrow) throw error;
    showError(error);
    return undefined;
  } finally {
    busyDepth -= 1;
    if (busyDepth === 0) overlay.hidden = true;
  }
}

// A progress bar element with .set(fraction) and .done().
export function progressBar(label = '') {
  const bar = el('progress', { max: 100, value: 0 });
  const text = el('span', { class: 'progress-text' }, label);
  const box = el('span', { class: 'progress' }, bar, text);
  box.set = (fraction) => {
    bar.value = Math.round(fraction * 100);
    text.textContent = `${label} ${Math.round(fraction * 100)}%`;
  };
  box.done = () => box.remove();
  return box;
}

// ---------------------------------------------------------------- dialogs

// A modal with `body` (a Node) and buttons [{label, primary, value: () => result}]; resolves to the
// clicked button's value(), or null when closed with Esc.
export function dialog(title, body, buttons) {
  return new Promise((resolve) => {
    const dlg = el('dialog', { class: 'dialog' });
    const finish = (value) => {
      dlg.close();
      dlg.remove();
      resolve(value);
    };
    dlg.append(el('h3', {}, title), body,
      el('div', { class: 'dialog-buttons' }, buttons.map((b) => el('button', {
        type: 'button', class: `btn ${b.primary ? 'btn-primary' : ''}`, onclick: () => finish(b.value()),
      }, b.label))));
    dlg.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(null);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

export async function confirmDialog(message, { title = '请确认', ok = '确定', cancel = '取消' } = {}) {
  const answer = await dialog(title, el('p', {}, message), [
    { label: cancel, value: () => false },
    { label: ok, primary: true, value: () => true },
  ]);
  return answer === true;
}

// Asks for a line (or with multiline, a text); resolves to the text or null when cancelled.
export async function promptDialog(message, { title = '请输入', ok = '确定', value = '', multiline = false,
  required = false } = {}) {
  const input = multiline ? el('textarea', { rows: 4, class: 'dialog-input' }) : el('input', { type: 'text', class: 'dialog-input' });
  input.value = value;
  const hint = el('p', { class: 'field-error', hidden: true }, '此项必填');
  for (;;) {
    const answer = await dialog(title, el('div', {}, el('p', {}, message), input, hint), [
      { label: '取消', value: () => null },
      { label: ok, primary: true, value: () => input.value.trim() },
    ]);
    if (answer === null || !required || answer) return answer;
    hint.hidden = false;
  }
}

// ---------------------------------------------------------------- tables and lists

// columns: [{ label, value: (row) => text|Node, class }]; onRowClick(row) makes rows clickable.
export function table(columns, rows, { onRowClick, empty = '暂无数据', rowClass } = {}) {
  const head = el('thead', {}, el('tr', {}, columns.map((c) => el('th', { class: c.class }, c.label))));
  const body = el('tbody');
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: columns.length, class: 'empty' }, empty)));
  for (const row of rows) {
    const tr = el('tr', { class: [onRowClick ? 'clickable' : '', rowClass ? rowClass(row) : ''].join(' ').trim() || undefined },
      columns.map((c) => el('td', { class: c.class }, c.value(row))));
    if (onRowClick) tr.addEventListener('click', (event) => {
      if (!event.target.closest('a,button,input,select')) onRowClick(row);
    });
    body.append(tr);
  }
  return el('div', { class: 'table-wrap' }, el('table', { class: 'table' }, head, body));
}

// Page navigation for {total, offset, limit} answers; onChange(newOffset).
export function pager({ total, offset, limit }, onChange) {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  return el('div', { class: 'pager' },
    el('button', { type: 'button', class: 'btn btn-small', disabled: offset <= 0, onclick: () => onChange(Math.max(0, offset - limit)) }, '上一页'),
    el('span', { class: 'muted' }, `第 ${page} / ${pages} 页，共 ${total} 条`),
    el('button', { type: 'button', class: 'btn btn-small', disabled: offset + limit >= total, onclick: () => onChange(offset + limit) }, '下一页'));
}

// ---------------------------------------------------------------- dates (always China time)

const dateTimeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: CHINA_TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});
const dateFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: CHINA_TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

export function formatDateTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateTimeFormat.format(date);
}

export function formatDate(iso) {
  if (!iso) return '—';
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00+08:00` : iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateFormat.format(date);
}

// <input type="datetime-local"> values are read and written as China time.
export function toChinaInput(iso) {
  if (!iso) return '';
  const shifted = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  return shifted.toISOString().slice(0, 16);
}

export function fromChinaInput(value) {
  return value ? `${value}:00+08:00` : null;
}

// ---------------------------------------------------------------- labels

export const STATE_LABELS = { draft: '草稿', in_review: '待审核', rejected: '已退回', published: '已发布' };

export function stateBadge(state) {
  return el('span', { class: `badge badge-${state}` }, STATE_LABELS[state] || state);
}

// Case warning levels of server/cases/timers.py: none / warning (预警) / yellow (黄牌) / red (红牌).
export const WARNING_LABELS = { none: '正常', warning: '预警', yellow: '黄牌', red: '红牌' };

export function warningClass(level) {
  return `warn-${level || 'none'}`;
}

export function warningBadge(level) {
  return el('span', { class: `badge ${warningClass(level)}` }, WARNING_LABELS[level] || level);
}

export function actorName(actor) {
  if (!actor) return '—';
  return actor.name || actor.id || actor.kind || '—';
}
