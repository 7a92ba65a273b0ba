// The managed lists (departments, themes, domains) that editor fields and list filters choose from.
import { api } from '../api.js';
import { el, showBanner } from '../ui.js';

const CATALOG_NAMES = { departments: '部门', themes: '主题', domains: '审批领域' };

// { departments: [{id, name, active, ...}], ... } for the given list names. A list that fails to load
// is empty (with a warning): the page still works, only without those choices.
export async function loadCatalogs(lists) {
  const catalogs = {};
  await Promise.all([...new Set(lists)].map(async (list) => {
    try {
      catalogs[list] = (await api.get(`/staff/v1/${list}`)).items;
    } catch (error) {
      if (error.status === 401) throw error;
      catalogs[list] = [];
      showBanner(`无法加载${CATALOG_NAMES[list] || list}列表：${error.message}`, { kind: 'warn' });
    }
  }));
  return catalogs;
}

// A select of a list's entries after a first option `emptyLabel` (value ''). A value missing from the
// list (an entry removed since) stays selectable as its id.
export function catalogSelect(attrs, emptyLabel, entries, value) {
  const select = el('select', attrs, el('option', { value: '' }, emptyLabel),
    entries.map((e) => el('option', { value: e.id }, e.active === false ? `${e.name}（已停用）` : e.name)));
  if (value && !entries.some((e) => e.id === value)) select.append(el('option', { value }, value));
  select.value = value || '';
  return select;
}
