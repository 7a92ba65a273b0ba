// The list of a content type: title search, key, state, live and the type's own filters (type.listFilters,
// choices from a managed list or from the labels of a coded field), all kept in the URL; pages.
import { api } from '../api.js';
import { actorName, clear, el, formatDateTime, pager, stateBadge, table } from '../ui.js';
import { catalogSelect, loadCatalogs } from './catalogs.js';
import { labelEntries, loadSchema } from './schema.js';

const PAGE_SIZE = 20;

function filtersFrom(type, query) {
  const filters = {
    q: query.get('q') || '',
    key: query.get('key') || '',
    state: query.get('state') || '',
    live: query.get('live') || '',
  };
  for (const filter of type.listFilters) filters[filter.name] = query.get(filter.name) || '';
  return { ...filters, offset: Number(query.get('offset') || 0) };
}

function hashOf(type, filters) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, String(value));
  const text = params.toString();
  return `#/${type.page}${text ? `?${text}` : ''}`;
}

function liveCell(item) {
  const parts = [];
  if (item.is_live) parts.push(el('span', { class: 'badge badge-live' }, '已上线'));
  else parts.push(el('span', { class: 'badge' }, '未上线'));
  if (item.is_live && item.has_unpublished_changes) parts.push(' ', el('span', { class: 'badge badge-in_review' }, '有未发布修改'));
  return parts;
}

function scheduleCell(item) {
  const s = item.schedule;
  const lines = [];
  if (s.publish_at) lines.push(el('div', {}, `定时发布 ${formatDateTime(s.publish_at)}`));
  if (s.unpublish_at) lines.push(el('div', {}, `定时下线 ${formatDateTime(s.unpublish_at)}`));
  return lines.length ? lines : '—';
}

export async function renderList(root, type, ctx) {
  const filters = filtersFrom(type, ctx.query);
  const catalogs = await loadCatalogs(type.listFilters.filter((filter) => filter.list).map((filter) => filter.list));
  const schema = type.listFilters.some((filter) => filter.labels) ? await loadSchema(type) : null;
  const choices = (filter) => (filter.labels ? labelEntries(schema, filter.labels) : catalogs[filter.list]);
  const own = type.listFilters.map((filter) => catalogSelect({ name: filter.name, id: `list-${filter.name}` },
    filter.all, choices(filter), filters[filter.name]));
  const q = el('input', { type: 'search', name: 'q', placeholder: '按标题搜索', value: filters.q, id: 'list-q' });
  const key = type.keyFilter ? el('input', { type: 'search', name: 'key', placeholder: `${type.keyLabel}（精确）`, value: filters.key }) : null;
  const state = el('select', { name: 'state', id: 'list-state' }, el('option', { value: '' }, '全部状态'),
    ['draft', 'in_review', 'rejected', 'published'].map((s) => el('option', { value: s }, stateBadge(s).textContent)));
  state.value = filters.state;
  const live = el('select', { name: 'live' }, el('option', { value: '' }, '上线与否'),
    el('option', { value: 'true' }, '已上线'), el('option', { value: 'false' }, '未上线'));
  live.value = filters.live;
  const apply = () => ctx.navigate(hashOf(type, {
    q: q.value.trim(), key: key ? key.value.trim() : '', state: state.value, live: live.value,
    ...Object.fromEntries(own.map((select) => [select.name, select.value])), offset: 0,
  }));
  const form = el('form', { class: 'toolbar', role: 'search' }, q, key, state, live, own,
    el('button', { type: 'submit', class: 'btn' }, '查询'),
    el('span', { class: 'spacer' }),
    ctx.hasRole('editor') ? el('a', { class: 'btn btn-primary', href: `#/${type.page}/new`, id: 'new-item' }, `新建${type.noun}`) : null);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  for (const select of [state, live, ...own]) select.addEventListener('change', apply);
  const results = el('div', { class: 'list-results' }, el('p', { class: 'muted' }, '正在加载…'));
  root.append(el('h1', {}, type.noun), form, results);

  const page = await api.get(type.base, {
    query: { ...filters, limit: PAGE_SIZE },
  });
  const columns = [
    { label: '标题', value: (item) => el('a', { href: `#/${type.page}/${encodeURIComponent(item.id)}` }, item.title) },
    ...type.listColumns,
    { label: '状态', value: (item) => stateBadge(item.state), class: 'nowrap' },
    { label: '上线', value: liveCell, class: 'nowrap' },
    { label: '修订', value: (item) => `#${item.draft_number}${item.live_number ? `（线上 #${item.live_number}）` : ''}`, class: 'nowrap' },
    { label: '更新', value: (item) => [el('div', { class: 'nowrap' }, formatDateTime(item.updated_at)), el('div', { class: 'muted' }, actorName(item.updated_by))] },
    { label: '定时', value: scheduleCell },
  ];
  clear(results,
    table(columns, page.items, {
      onRowClick: (item) => ctx.navigate(`#/${type.page}/${encodeURIComponent(item.id)}`),
      empty: `没有符合条件的${type.noun}`,
    }),
    pager(page, (offset) => ctx.navigate(hashOf(type, { ...filters, offset }))));
}
