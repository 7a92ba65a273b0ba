// 预审工作台: the department queue, nearest deadline first, coloured by warning level (预警/黄牌/红牌);
// claim and give back cases. `#/workbench/<case id>` opens one case (js/case-view.js).
import { api } from '../api.js';
import { CASE_STATE_LABELS, caseStateBadge, useCaseworkStyles } from '../casework.js';
import { busy, clear, el, formatDate, formatDateTime, pager, table, toast, warningBadge, warningClass } from '../ui.js';

const LIMIT = 20;
const STATE_FILTERS = [
  ['submitted', '待预审'],
  ['supplement_requested', '待补正'],
  ['pre_review_passed', '预审通过（待受理）'],
  ['accepted,in_process,suspended', '受理及办理中'],
  ['approved', '准予办理（待送达）'],
  ['submitted,supplement_requested,pre_review_passed,accepted,in_process,suspended,approved', '全部在办'],
  ['not_accepted,denied,delivered,archived,withdrawn', '已办结'],
];
const WARNING_FILTERS = [['', '全部预警级别'], ['warning,yellow,red', '预警及以上'], ['red', '仅红牌']];

export async function render(root, params, ctx) {
  useCaseworkStyles();
  if (params.length) {
    const { renderCase } = await import('../case-view.js');
    return renderCase(root, params[0], ctx);
  }
  ctx.setTitle('预审工作台');
  const state = {
    states: ctx.query.get('state') || 'submitted',
    warning: ctx.query.get('warning') || '',
    offset: Number(ctx.query.get('offset') || 0),
  };
  const stateSelect = el('select', { id: 'queue-state', 'aria-label': '办件状态' },
    STATE_FILTERS.map(([value, label]) => el('option', { value, selected: value === state.states }, label)));
  const warningSelect = el('select', { id: 'queue-warning', 'aria-label': '预警级别' },
    WARNING_FILTERS.map(([value, label]) => el('option', { value, selected: value === state.warning }, label)));
  const summary = el('span', { class: 'muted', id: 'queue-summary' });
  const list = el('div', { id: 'queue' }, el('p', { class: 'muted' }, '正在加载…'));
  const legend = el('div', { class: 'legend' }, '期限颜色：',
    ['warning', 'yellow', 'red'].map((level) => warningBadge(level)),
    el('span', { class: 'muted' }, '（预警：剩余 2 个工作日内；黄牌：今天到期；红牌：已超期）'));

  async function claim(item, give) {
    const path = `/staff/v1/cases/${item.id}/claim`;
    const done = await busy(give ? '正在放弃领取…' : '正在领取…', async () => {
      if (give) await api.delete(path);
      else await api.post(path);
      return true;
    });
    if (done) {
      toast(give ? `已放弃 ${item.number}` : `已领取 ${item.number}`);
      await load();
    }
  }

  function claimCell(item) {
    const mine = item.claim && ctx.user && item.claim.staff_id === ctx.user.id;
    if (item.state !== 'submitted') return el('span', { class: 'muted' }, '—');
    if (!item.claim) {
      return el('button', { type: 'button', class: 'btn btn-small btn-primary', dataset: { action: 'claim' }, onclick: () => claim(item, false) }, '领取');
    }
    if (mine) {
      return el('span', { class: 'inline' }, el('span', { class: 'claim-mine' }, '我已领取'),
        el('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'unclaim' }, onclick: () => claim(item, true) }, '放弃'));
    }
    return el('span', { class: 'claim-other', title: `至 ${formatDateTime(item.claim.until)}` }, `${item.claim.name} 预审中`);
  }

  async function load() {
    const query = { offset: state.offset, limit: LIMIT, state: state.states, warning: state.warning || undefined };
    const page = await api.get('/staff/v1/cases', { query });
    summary.textContent = `共 ${page.total} 件`;
    clear(list, table([
      { label: '办件编号', class: 'nowrap', value: (c) => el('a', { href: `#/workbench/${c.id}`, class: 'case-link' }, c.number) },
      { label: '事项名称', value: (c) => (c.joint ? [el('span', { class: 'badge badge-joint', title: '多部门联办' }, '联办'), ' ', c.guide.name] : c.guide.name) },
      { label: '申请人', class: 'nowrap', value: (c) => c.applicant.name || '—' },
      { label: '状态', class: 'nowrap', value: (c) => caseStateBadge(c.state, c.state_label || CASE_STATE_LABELS[c.state]) },
      { label: '提交时间', class: 'nowrap', value: (c) => formatDateTime(c.submitted_at) },
      { label: '办理期限', class: 'nowrap', value: (c) => (c.due_on ? formatDate(c.due_on) : '—') + (c.clock_stopped ? '（暂停计时）' : '') },
      { label: '预警', class: 'nowrap', value: (c) => warningBadge(c.warning_level) },
      { label: '领取', class: 'nowrap', value: claimCell },
    ], page.items, {
      empty: '队列中没有办件',
      rowClass: (c) => `queue-row ${warningClass(c.warning_level)}`,
      onRowClick: (c) => ctx.navigate(`#/workbench/${c.id}`),
    }), pager(page, (offset) => {
      state.offset = offset;
      load().catch(showLoadError);
    }));
  }

  function showLoadError(error) {
    clear(list, el('p', { class: 'empty-page load-error' }, error.message || '加载失败'));
  }

  const reload = () => {
    state.offset = 0;
    load().catch(showLoadError);
  };
  stateSelect.addEventListener('change', () => { state.states = stateSelect.value; reload(); });
  warningSelect.addEventListener('change', () => { state.warning = warningSelect.value; reload(); });

  clear(root,
    el('h1', {}, '预审工作台'),
    el('div', { class: 'toolbar' }, stateSelect, warningSelect,
      el('button', { type: 'button', class: 'btn', id: 'queue-refresh', onclick: reload }, '刷新'),
      el('span', { class: 'spacer' }), summary),
    legend, list);
  await load().catch(showLoadError);
  // The queue changes as citizens submit and colleagues claim: refresh it while the page is open.
  const timer = setInterval(() => load().catch(() => {}), 60_000);
  return () => clearInterval(timer);
}
