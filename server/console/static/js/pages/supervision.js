// 电子监察: counts by state and department (CSS bars, no chart library), overdue cases in red, average
// handling time, and the CSV export (a plain download link: the browser sends the session cookie).
import { api } from '../api.js';
import { caseStateBadge, useCaseworkStyles } from '../casework.js';
import { busy, clear, el, formatDate, table, toast, warningBadge } from '../ui.js';

const SUMMARY = '/staff/v1/supervision/summary';
const EXPORT = '/staff/v1/supervision/cases.csv';

function bar(count, max, cls = '') {
  const fill = el('span', { class: `bar-fill ${cls}` });
  fill.style.width = `${max ? Math.max(count ? 2 : 0, Math.round((count / max) * 100)) : 0}%`;
  return el('span', { class: 'bar' }, fill);
}

function stat(label, value, id, cls = '') {
  return el('div', { class: `stat ${cls}` }, el('div', { class: 'stat-value', id }, value), el('div', { class: 'stat-label' }, label));
}

export async function render(root, params, ctx) {
  useCaseworkStyles();
  const from = el('input', { type: 'date', id: 'report-from', value: ctx.query.get('date_from') || '' });
  const to = el('input', { type: 'date', id: 'report-to', value: ctx.query.get('date_to') || '' });
  const exportLink = el('a', { class: 'btn', id: 'report-export', download: '' }, '导出 CSV');
  const body = el('div', { id: 'report' }, el('p', { class: 'muted' }, '正在统计…'));

  function range() {
    const query = new URLSearchParams();
    if (from.value) query.set('date_from', from.value);
    if (to.value) query.set('date_to', to.value);
    return query.toString();
  }

  async function load() {
    const query = range();
    exportLink.href = query ? `${EXPORT}?${query}` : EXPORT;
    const report = await busy('正在统计…', () => api.get(query ? `${SUMMARY}?${query}` : SUMMARY), { rethrow: true });
    draw(report);
  }

  function draw(r) {
    const maxState = Math.max(0, ...r.by_state.map((s) => s.count));
    const maxDept = Math.max(0, ...r.by_department.map((d) => d.total));
    const hours = r.handling_time.average_hours;
    const days = r.handling_time.average_working_days;
    clear(body,
      el('div', { class: 'stats' },
        stat('办件总数', String(r.total), 'stat-total'),
        stat('超期未办结', String(r.overdue.total), 'stat-overdue', r.overdue.total ? 'stat-bad' : ''),
        stat('平均办理用时（工作日）', days === null ? '—' : String(days), 'stat-days'),
        stat('平均办理用时（小时）', hours === null ? '—' : String(hours), 'stat-hours'),
        stat('已办结（计入平均）', String(r.handling_time.decided), 'stat-decided')),
      el('p', { class: 'muted' }, `统计日期 ${formatDate(r.today)}；范围：${r.scope.departments ? '本部门' : '全部部门'}`,
        r.scope.date_from || r.scope.date_to ? `，申请日期 ${r.scope.date_from || '…'} 至 ${r.scope.date_to || '…'}` : '',
        '。办理用时自提交至作出决定（准予 / 不予 / 不予受理）。'),
      el('div', { class: 'columns-2 report-columns' },
        el('section', { class: 'panel' }, el('h2', {}, '按状态'),
          table([
            { label: '状态', class: 'nowrap', value: (s) => caseStateBadge(s.state, s.label) },
            { label: '数量', class: 'num', value: (s) => String(s.count) },
            { label: '', value: (s) => bar(s.count, maxState) },
          ], r.by_state.filter((s) => s.count), { empty: '暂无办件', rowClass: () => 'state-row' })),
        el('section', { class: 'panel' }, el('h2', {}, '在办办件预警'),
          table([
            { label: '级别', class: 'nowrap', value: (w) => warningBadge(w.level) },
            { label: '数量', class: 'num', value: (w) => String(w.count) },
            { label: '', value: (w) => bar(w.count, Math.max(0, ...r.by_warning.map((x) => x.count)), `bar-${w.level}`) },
          ], r.by_warning))),
      el('section', { class: 'panel' }, el('h2', {}, '按部门'),
        table([
          { label: '部门', value: (d) => d.department_name },
          { label: '总数', class: 'num', value: (d) => String(d.total) },
          { label: '在办', class: 'num', value: (d) => String(d.open) },
          { label: '超期', class: 'num', value: (d) => el('span', { class: d.overdue ? 'overdue-count' : '' }, String(d.overdue)) },
          { label: '', value: (d) => bar(d.total, maxDept) },
        ], r.by_department, { empty: '暂无办件', rowClass: () => 'department-row' })),
      el('section', { class: 'panel' }, el('h2', {}, `超期办件（${r.overdue.total}）`),
        table([
          { label: '办件编号', class: 'nowrap', value: (c) => (ctx.hasRole('officer') ? el('a', { href: `#/workbench/${c.id}` }, c.number) : c.number) },
          { label: '事项名称', value: (c) => c.guide_name },
          { label: '部门', value: (c) => c.department_name },
          { label: '状态', class: 'nowrap', value: (c) => caseStateBadge(c.state, c.state_label) },
          { label: '申请人', class: 'nowrap', value: (c) => c.applicant },
          { label: '期限', class: 'nowrap', value: (c) => formatDate(c.due_on) },
          { label: '超期', class: 'nowrap', value: (c) => `${c.working_days_overdue} 个工作日` },
        ], r.overdue.items, { empty: '没有超期办件', rowClass: () => 'overdue-row warn-red' }),
        r.overdue.total > r.overdue.items.length ? el('p', { class: 'muted' }, `仅显示超期最久的 ${r.overdue.items.length} 件，全部请导出 CSV。`) : null));
  }

  // The export is fetched first so a refusal shows the server's message (not a saved error file) and a
  // long export shows progress; the file is then handed to the browser as a download.
  async function download(event) {
    event.preventDefault();
    const saved = await busy('正在导出 CSV…', async () => {
      const response = await fetch(exportLink.href, { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) {
        let message = `导出失败（${response.status}）`;
        try {
          message = (await response.json()).error.message || message;
        } catch {
          // not a JSON error: keep the status line
        }
        throw new Error(message);
      }
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = el('a', { href: url, download: `办件监察-${new Date().toISOString().slice(0, 10)}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return true;
    });
    if (saved) toast('已导出 CSV');
  }
  exportLink.addEventListener('click', download);

  const run = () => load().catch((error) => clear(body, el('p', { class: 'empty-page load-error' }, error.message || '统计失败')));
  clear(root,
    el('h1', {}, '电子监察'),
    el('div', { class: 'toolbar' },
      el('label', {}, '申请日期 '), from, el('span', {}, '至'), to,
      el('button', { type: 'button', class: 'btn btn-primary', id: 'report-apply', onclick: run }, '统计'),
      el('span', { class: 'spacer' }), exportLink),
    body);
  await run();
}
