// 节假日日历: which years have holiday data, and a year's working days month by month. Administrators
// toggle days (holiday on a weekday, make-up working day on a weekend) and save the year.
import { api } from '../api.js';
import { useCaseworkStyles } from '../casework.js';
import { busy, clear, confirmDialog, el, formatDateTime, hideBanner, showBanner, toast } from '../ui.js';

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];
const SOURCES = { chinesecalendar: '内置数据（chinesecalendar）', admin: '管理员录入' };

function iso(year, month, day) {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// Monday–Friday, as a year without data is counted.
function weekdayDefault(date) {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day !== 0 && day !== 6;
}

export async function render(root, params, ctx) {
  useCaseworkStyles();
  const canEdit = ctx.hasRole('admin');
  const status = await api.get('/staff/v1/calendar/status');
  const thisYear = Number(status.today.slice(0, 4));
  const wanted = Number(params[0] || ctx.query.get('year') || status.missing_years[0] || thisYear);
  const years = [...new Set([...status.covered_years, ...status.missing_years, thisYear, thisYear + 1, wanted])].sort();
  const state = { year: wanted, saved: new Map(), draft: new Map(), view: null };

  if (status.missing_years.length) {
    showBanner(`以下年份没有节假日数据，期限按周一至周五计算：${status.missing_years.join('、')}。请管理员按国务院办公厅通知录入。`, { kind: 'warn' });
  }

  const yearSelect = el('select', { id: 'calendar-year', 'aria-label': '年份' });
  const nameInput = el('input', { type: 'text', id: 'calendar-name', placeholder: '节日名称（如 春节）', maxlength: 100 });
  const saveButton = el('button', { type: 'button', class: 'btn btn-primary', id: 'calendar-save', disabled: true }, '保存');
  const changes = el('span', { class: 'muted', id: 'calendar-changes' });
  const info = el('div', { class: 'calendar-info', id: 'calendar-info' });
  const grid = el('div', { class: 'calendar-grid', id: 'calendar-grid' });

  function fillYears() {
    clear(yearSelect, years.map((y) => el('option', { value: String(y), selected: y === state.year },
      `${y} 年${status.covered_years.includes(y) ? '' : '（无数据）'}`)));
  }

  function isWorking(date) {
    const entry = state.draft.get(date);
    return entry ? entry.working : weekdayDefault(date);
  }

  function changedCount() {
    let n = 0;
    const dates = new Set([...state.saved.keys(), ...state.draft.keys()]);
    for (const d of dates) {
      const a = state.saved.get(d);
      const b = state.draft.get(d);
      if (!a || !b || a.working !== b.working || a.name !== b.name) n += 1;
    }
    return n;
  }

  function toggle(date) {
    const working = !isWorking(date);
    if (working === weekdayDefault(date)) state.draft.delete(date);
    else state.draft.set(date, { date, working, name: nameInput.value.trim() || (working ? '调休上班' : '休息') });
    drawGrid();
  }

  function drawInfo() {
    const v = state.view;
    clear(info,
      el('span', { class: `badge ${v.covered ? 'covered' : 'uncovered'}`, id: 'calendar-covered' }, v.covered ? '已有数据' : '无数据（按周一至周五计算）'),
      v.source ? el('span', {}, `来源：${SOURCES[v.source] || v.source}`) : null,
      v.updated_at ? el('span', { class: 'muted' }, `更新于 ${formatDateTime(v.updated_at)}${v.updated_by ? `（${v.updated_by.name}）` : ''}`) : null,
      el('span', { class: 'muted' }, `已录入年份：${status.covered_years.join('、') || '无'}`));
  }

  function drawGrid() {
    const count = changedCount();
    changes.textContent = count ? `未保存的更改 ${count} 处` : '';
    saveButton.disabled = !canEdit || !count;
    const months = [];
    for (let month = 1; month <= 12; month += 1) {
      const first = new Date(Date.UTC(state.year, month - 1, 1));
      const days = new Date(Date.UTC(state.year, month, 0)).getUTCDate();
      const cells = WEEKDAYS.map((w) => el('span', { class: 'cal-head' }, w));
      for (let i = 0; i < (first.getUTCDay() + 6) % 7; i += 1) cells.push(el('span', { class: 'cal-blank' }));
      for (let day = 1; day <= days; day += 1) {
        const date = iso(state.year, month, day);
        const entry = state.draft.get(date);
        const working = isWorking(date);
        const saved = state.saved.get(date);
        const edited = (saved ? `${saved.working}${saved.name}` : '') !== (entry ? `${entry.working}${entry.name}` : '');
        const kind = entry ? (working ? 'makeup' : 'holiday') : (working ? 'workday' : 'weekend');
        cells.push(el('button', {
          type: 'button', class: `cal-day cal-${kind}${edited ? ' cal-edited' : ''}`, disabled: !canEdit,
          title: `${date} ${working ? '工作日' : '休息日'}${entry && entry.name ? ` · ${entry.name}` : ''}`,
          dataset: { date, working: String(working) }, onclick: () => toggle(date),
        }, String(day)));
      }
      months.push(el('div', { class: 'cal-month' }, el('div', { class: 'cal-title' }, `${month} 月`), el('div', { class: 'cal-days' }, cells)));
    }
    clear(grid, months);
  }

  async function load(year) {
    const view = await api.get(`/staff/v1/calendar/${year}`);
    state.year = year;
    state.view = view;
    // Keep the year in the address (without re-rendering) so a reload shows the same year.
    history.replaceState(null, '', `#/calendar/${year}`);
    state.saved = new Map(view.days.map((d) => [d.date, { date: d.date, working: d.working, name: d.name }]));
    state.draft = new Map([...state.saved].map(([k, v]) => [k, { ...v }]));
    fillYears();
    drawInfo();
    drawGrid();
  }

  async function save() {
    const days = [...state.draft.values()].sort((a, b) => a.date.localeCompare(b.date))
      .map((d) => ({ date: d.date, working: d.working, name: d.name || (d.working ? '调休上班' : '休息') }));
    const ok = await confirmDialog(`保存后 ${state.year} 年的期限将按此日历计算（共 ${days.length} 个例外日期）。`, { title: '保存节假日', ok: '保存' });
    if (!ok) return;
    const saved = await busy('正在保存…', () => api.put(`/staff/v1/calendar/${state.year}`, { days }));
    if (!saved) return;
    toast(`${state.year} 年节假日已保存`);
    if (!status.covered_years.includes(state.year)) status.covered_years.push(state.year);
    status.covered_years.sort();
    status.missing_years = status.missing_years.filter((y) => y !== state.year);
    if (!status.missing_years.length) hideBanner();
    await load(state.year);
  }

  saveButton.addEventListener('click', save);
  yearSelect.addEventListener('change', async () => {
    const next = Number(yearSelect.value);
    if (changedCount() && !(await confirmDialog('有未保存的更改，确定切换年份？'))) {
      yearSelect.value = String(state.year);
      return;
    }
    await busy('正在加载…', () => load(next));
  });

  clear(root,
    el('h1', {}, '节假日日历'),
    el('div', { class: 'toolbar' }, yearSelect,
      canEdit ? [nameInput, saveButton] : el('span', { class: 'muted' }, '仅系统管理员可以修改'),
      changes),
    info,
    el('div', { class: 'cal-legend' },
      el('span', { class: 'cal-day cal-workday' }, '班'), '工作日',
      el('span', { class: 'cal-day cal-weekend' }, '休'), '周末',
      el('span', { class: 'cal-day cal-holiday' }, '假'), '法定节假日 / 休息',
      el('span', { class: 'cal-day cal-makeup' }, '调'), '调休上班',
      canEdit ? el('span', { class: 'muted' }, '点击日期切换工作日 / 休息日') : null),
    grid);
  await load(state.year);
}
