// The editor of one content item (guide, notice): form, workflow buttons by role and state, schedule,
// conflict handling; the history tab lives in history.js.
import { api } from '../api.js';
import {
  actorName, busy, clear, confirmDialog, el, formatDateTime, fromChinaInput, hideBanner, progressBar,
  promptDialog, showBanner, showError, stateBadge, toChinaInput, toast,
} from '../ui.js';
import { loadCatalogs } from './catalogs.js';
import { buildForm, FormInvalid } from './form.js';
import { renderHistory } from './history.js';
import { loadSchema } from './schema.js';

// The managed lists the layout's fields choose from.
function catalogLists(type) {
  const wanted = [];
  const walk = (fields) => fields.forEach((f) => {
    if (f.list) wanted.push(f.list);
    if (f.fields) walk(f.fields);
  });
  type.sections.forEach((s) => walk(s.fields));
  return wanted;
}

const UNPUBLISHED_STATES = ['draft', 'in_review', 'rejected'];

export async function renderEditor(root, type, itemId, tab, ctx) {
  const [schemaInfo, catalogs, loaded] = await Promise.all([
    loadSchema(type), loadCatalogs(catalogLists(type)), itemId ? api.get(`${type.base}/${encodeURIComponent(itemId)}`) : null,
  ]);
  const canEdit = ctx.hasRole('editor');
  const isReviewer = ctx.hasRole('reviewer');
  let item = loaded;
  let form = null;
  let dirty = false;
  const itemPath = () => `${type.base}/${encodeURIComponent(item.id)}`;
  const pageHash = (suffix = '') => `#/${type.page}/${encodeURIComponent(item.id)}${suffix}`;

  const beforeUnload = (event) => {
    if (dirty) event.preventDefault();
  };
  window.addEventListener('beforeunload', beforeUnload);
  ctx.guardLeave(() => dirty);

  async function upload(file, statusNode) {
    const bar = progressBar(`上传 ${file.name}`);
    statusNode.replaceChildren(bar);
    try {
      const ref = await api.upload(`${itemPath()}/attachments`, file, { query: { filename: file.name }, onProgress: bar.set });
      toast(`已上传 ${file.name}，保存后生效`, 'info');
      return ref;
    } catch (error) {
      showError(error);
      return null;
    } finally {
      bar.done();
    }
  }

  function conflict(error) {
    const current = error.details && error.details.current_version;
    showBanner(`内容已被他人修改${current ? `（最新版本 v${current}）` : ''}，您的修改没有保存。请重新加载最新内容后再修改。`, {
      kind: 'warn',
      actions: [{ label: '重新加载', onClick: reload }],
    });
  }

  function failed(error) {
    if (error.status === 409 && error.code === 'stale_revision') conflict(error);
    else {
      if (error.code === 'content_invalid' && form) form.showServerProblems(error.details.fields);
      showError(error);
    }
  }

  async function reload() {
    hideBanner();
    const fresh = await busy('正在加载…', () => api.get(itemPath()));
    if (fresh) {
      item = fresh;
      dirty = false;
      render();
      toast('已加载最新内容', 'info');
    }
  }

  // Saves the form; resolves to true when saved (or nothing to save).
  async function save() {
    let content;
    try {
      content = form.read();
    } catch (error) {
      if (error instanceof FormInvalid) {
        showBanner(error.message);
        return false;
      }
      throw error;
    }
    const note = document.getElementById('save-note');
    const body = { content, note: note ? note.value.trim() : '' };
    try {
      const saved = await busy('正在保存…', () => (item
        ? api.put(itemPath(), { ...body, base_version: item.version })
        : api.post(type.base, body)), { rethrow: true });
      hideBanner();
      dirty = false;
      if (!item) {
        toast(`已创建${type.noun}`);
        item = saved;
        ctx.navigate(pageHash());
        return true;
      }
      item = saved;
      toast('已保存');
      render();
      return true;
    } catch (error) {
      failed(error);
      return false;
    }
  }

  async function act(action, label, extra = {}) {
    try {
      item = await busy(`正在${label}…`, () => api.post(`${itemPath()}/${action}`, { base_version: item.version, ...extra }), { rethrow: true });
      hideBanner();
      toast(`已${label}`);
      dirty = false;
      render();
    } catch (error) {
      failed(error);
    }
  }

  async function submit() {
    if (dirty && !(await save())) return;
    const comment = await promptDialog('可填写给审核人的说明（可选）', { title: '提交审核', ok: '提交' });
    if (comment === null) return;
    await act('submit', '提交审核', comment ? { comment } : {});
  }

  async function publish() {
    if (dirty && !(await confirmDialog('编辑区有未保存的修改，发布的是已保存的草稿。继续发布？'))) return;
    if (!(await confirmDialog(`确定发布此${type.noun}？发布后即对群众可见。`, { ok: '发布' }))) return;
    await act('publish', '发布');
  }

  async function reject() {
    const comment = await promptDialog('请填写退回意见（将告知编辑）', { title: '退回修改', ok: '退回', multiline: true, required: true });
    if (!comment) return;
    await act('reject', '退回', { comment });
  }

  async function unpublish() {
    if (!(await confirmDialog(`确定下线此${type.noun}？下线后群众将无法看到。`, { ok: '下线' }))) return;
    await act('unpublish', '下线');
  }

  async function saveSchedule(publishAt, unpublishAt) {
    try {
      item = await busy('正在保存定时…', () => api.put(`${itemPath()}/schedule`, {
        publish_at: publishAt, unpublish_at: unpublishAt, base_version: item.version,
      }), { rethrow: true });
      hideBanner();
      toast(publishAt || unpublishAt ? '定时已保存' : '定时已清除');
      render();
    } catch (error) {
      failed(error);
    }
  }

  function header() {
    const content = item ? item.draft.content : {};
    const title = item ? item.title : `新建${type.noun}`;
    const meta = [];
    if (item) {
      meta.push(`版本 v${item.version} · 草稿修订 #${item.draft_number} · ${formatDateTime(item.updated_at)} ${actorName(item.updated_by)} 修改`);
      if (item.live) meta.push(`线上修订 #${item.live_number}，${formatDateTime(item.live.published_at)} 由 ${actorName(item.live.published_by)} 发布`);
    }
    const nodes = [
      el('div', { class: 'editor-head' },
        el('a', { href: `#/${type.page}`, class: 'btn btn-small' }, '← 返回列表'),
        el('h1', { id: 'editor-title' }, title || content[type.titleField] || ''),
        item ? stateBadge(item.state) : null,
        item ? el('span', { class: `badge ${item.is_live ? 'badge-live' : ''}`, id: 'live-badge' }, item.is_live ? '已上线' : '未上线') : null),
      meta.length ? el('div', { class: 'editor-meta' }, meta.map((m) => el('div', {}, m))) : null,
    ];
    if (item && item.review && ['rejected', 'in_review'].includes(item.state)) {
      const verb = item.state === 'rejected' ? '审核退回' : '已提交审核';
      nodes.push(el('div', { class: 'review-note', id: 'review-note' },
        `${verb}（${actorName(item.review.by)}，${formatDateTime(item.review.at)}）${item.review.comment ? `：${item.review.comment}` : ''}`));
    }
    return nodes;
  }

  function actions(onTab) {
    const bar = el('div', { class: 'editor-actions' });
    if (canEdit && onTab === 'edit') {
      bar.append(el('input', { type: 'text', id: 'save-note', placeholder: '修改说明（可选）', maxlength: 500 }),
        el('button', { type: 'button', class: 'btn btn-primary', id: 'save', onclick: save }, item ? '保存草稿' : '创建'));
    }
    if (item && canEdit && ['draft', 'rejected'].includes(item.state)) {
      bar.append(el('button', { type: 'button', class: 'btn', id: 'submit', onclick: submit }, '提交审核'));
    }
    if (item && isReviewer) {
      if (UNPUBLISHED_STATES.includes(item.state)) bar.append(el('button', { type: 'button', class: 'btn btn-primary', id: 'publish', onclick: publish }, '发布'));
      if (item.state === 'in_review') bar.append(el('button', { type: 'button', class: 'btn btn-danger', id: 'reject', onclick: reject }, '退回'));
      if (item.is_live) bar.append(el('button', { type: 'button', class: 'btn btn-danger', id: 'unpublish', onclick: unpublish }, '下线'));
    }
    return bar;
  }

  function schedulePanel() {
    const s = item.schedule;
    const publishAt = el('input', { type: 'datetime-local', id: 'schedule-publish', value: toChinaInput(s.publish_at) });
    const unpublishAt = el('input', { type: 'datetime-local', id: 'schedule-unpublish', value: toChinaInput(s.unpublish_at) });
    const current = [];
    if (s.publish_at) current.push(`将于 ${formatDateTime(s.publish_at)} 发布定时时的草稿`);
    if (s.unpublish_at) current.push(`将于 ${formatDateTime(s.unpublish_at)} 下线`);
    return el('section', { class: 'panel schedule-panel' },
      el('h2', {}, '定时发布 / 下线'),
      el('p', { class: 'muted', id: 'schedule-current' }, current.length ? current.join('；') : '未设置定时（北京时间）'),
      el('div', { class: 'inline' },
        el('label', { for: 'schedule-publish' }, '定时发布'), publishAt,
        el('label', { for: 'schedule-unpublish' }, '定时下线'), unpublishAt,
        el('button', { type: 'button', class: 'btn', id: 'schedule-save', onclick: () => saveSchedule(fromChinaInput(publishAt.value), fromChinaInput(unpublishAt.value)) }, '保存定时'),
        el('button', { type: 'button', class: 'btn btn-small', id: 'schedule-clear', onclick: () => saveSchedule(null, null) }, '清除定时')));
  }


  function render() {
    const onTab = item && tab === 'history' ? 'history' : 'edit';
    const tabs = item ? el('div', { class: 'tabs' },
      el('button', { type: 'button', class: `tab ${onTab === 'edit' ? 'active' : ''}`, id: 'tab-edit', onclick: () => onTab !== 'edit' && ctx.navigate(pageHash()) }, '内容'),
      el('button', { type: 'button', class: `tab ${onTab === 'history' ? 'active' : ''}`, id: 'tab-history', onclick: () => onTab !== 'history' && ctx.navigate(pageHash('/history')) }, '修订历史')) : null;
    const body = el('div', { class: 'editor-body' });
    clear(root, header(), actions(onTab), tabs, body);
    if (onTab === 'history') {
      form = null;
      renderHistory(body, type, item, ctx, { fieldSchema: schemaInfo, onRolledBack: (rolled) => {
        item = rolled;
        ctx.navigate(pageHash());
      } }).catch(showError);
      return;
    }
    if (item && isReviewer) body.append(schedulePanel());
    form = buildForm(type, schemaInfo, item ? item.draft.content : type.newContent(), {
      itemId: item && item.id, upload, catalogs, changed: () => { dirty = true; },
    });
    const fieldset = el('fieldset', { class: 'form-fieldset', disabled: !canEdit }, form.node);
    body.append(fieldset);
  }

  render();
  return () => window.removeEventListener('beforeunload', beforeUnload);
}
