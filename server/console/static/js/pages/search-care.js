// 搜索维护: what citizens search for and what finds nothing; quick synonyms and guide aliases.
import { api } from '../api.js';
import {
  busy, clear, confirmDialog, dialog, el, formatDateTime, promptDialog, showBanner, showError, table, toast,
} from '../ui.js';

const SPLIT = /[,，、;；\s]+/;

async function addSynonyms(query, reload) {
  const text = await promptDialog(`与“${query}”意思相同的词，用逗号或顿号分隔（例如：${query}、正式名称）`, {
    title: '添加同义词组', ok: '添加', value: query ? `${query}、` : '', required: true,
  });
  if (!text) return;
  const terms = [...new Set(text.split(SPLIT).map((t) => t.trim()).filter(Boolean))];
  if (terms.length < 2) {
    showBanner('同义词组至少需要两个不同的词', { kind: 'warn' });
    return;
  }
  const group = await busy('正在保存同义词…', () => api.post('/staff/v1/search/synonyms', { terms }));
  if (group) {
    toast(`已添加同义词组：${group.terms.join('、')}`);
    await reload();
  }
}

// Pick a guide by title search; resolves to its id or null.
async function pickGuide(query) {
  const input = el('input', { type: 'search', class: 'dialog-input', id: 'guide-pick-q', placeholder: '输入指南名称搜索' });
  const results = el('div', { class: 'pick-results', id: 'guide-pick-results' }, el('p', { class: 'muted' }, '请输入名称后搜索'));
  let chosen = null;
  const search = async () => {
    const q = input.value.trim();
    if (!q) return;
    clear(results, el('p', { class: 'muted' }, '正在搜索…'));
    try {
      const page = await api.get('/staff/v1/guides', { query: { q, limit: 10 } });
      if (!page.items.length) {
        clear(results, el('p', { class: 'muted' }, '没有找到指南'));
        return;
      }
      clear(results, page.items.map((item) => {
        const radio = el('input', { type: 'radio', name: 'guide-pick', value: item.id, onchange: () => { chosen = item.id; } });
        return el('label', { class: 'pick-row' }, radio, item.title, el('span', { class: 'muted' }, ` ${item.key}`));
      }));
    } catch (error) {
      clear(results, el('p', { class: 'field-error' }, error.message));
    }
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      search();
    }
  });
  const body = el('div', {}, el('p', {}, `把“${query}”加为哪个指南的别名？`),
    el('div', { class: 'inline' }, input, el('button', { type: 'button', class: 'btn', id: 'guide-pick-search', onclick: search }, '搜索')),
    results);
  return dialog('添加为指南别名', body, [{ label: '取消', value: () => null }, { label: '添加别名', primary: true, value: () => chosen }]);
}

async function addAlias(query) {
  const guideId = await pickGuide(query);
  if (!guideId) return;
  const path = `/staff/v1/guides/${encodeURIComponent(guideId)}`;
  const saved = await busy('正在添加别名…', async () => {
    const guide = await api.get(path);
    const content = guide.draft.content;
    const aliases = content.aliases || [];
    if (aliases.includes(query)) return { already: true, guide };
    return api.put(path, { base_version: guide.version, content: { ...content, aliases: [...aliases, query] }, note: `添加别名“${query}”` });
  });
  if (!saved) return;
  if (saved.already) {
    toast(`“${saved.guide.title}”已有别名“${query}”`, 'info');
    return;
  }
  showBanner(`已把“${query}”加入“${saved.title}”的草稿别名，审核发布后搜索生效。`, {
    kind: 'info', actions: [{ label: '打开指南', onClick: () => { location.hash = `#/guides/${encodeURIComponent(saved.id)}`; } }],
  });
}

function queryTable(rows, { canEdit, reload, id }) {
  return el('div', { id }, table([
    { label: '搜索词', value: (r) => r.query },
    { label: '次数', value: (r) => String(r.count), class: 'num' },
    { label: '无结果', value: (r) => String(r.no_result_count), class: 'num' },
    { label: '最近', value: (r) => formatDateTime(r.last_at), class: 'nowrap' },
    canEdit ? {
      label: '操作', class: 'nowrap', value: (r) => [
        el('button', { type: 'button', class: 'btn btn-small', dataset: { synonym: r.query }, onclick: () => addSynonyms(r.query, reload) }, '加同义词'),
        ' ',
        el('button', { type: 'button', class: 'btn btn-small', dataset: { alias: r.query }, onclick: () => addAlias(r.query) }, '设为别名'),
      ],
    } : null,
  ].filter(Boolean), rows, { empty: '暂无记录' }));
}

export async function render(root, params, ctx) {
  const canEdit = ctx.hasRole('editor');
  const body = el('div', {}, el('p', { class: 'muted' }, '正在加载…'));
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, '搜索维护'), el('span', { class: 'spacer' }),
    canEdit ? el('button', { type: 'button', class: 'btn', id: 'new-synonyms', onclick: () => addSynonyms('', load) }, '新增同义词组') : null,
    el('button', { type: 'button', class: 'btn', onclick: () => load() }, '刷新')),
  el('p', { class: 'muted' }, '搜索记录每隔几秒汇总一次。群众常用的叫法可加为同义词（对所有指南生效），或加为某个指南的别名。'), body);

  async function removeGroup(group) {
    if (!(await confirmDialog(`删除同义词组“${group.terms.join('、')}”？`, { ok: '删除' }))) return;
    const done = await busy('正在删除…', async () => {
      await api.delete(`/staff/v1/search/synonyms/${encodeURIComponent(group.id)}`);
      return true;
    });
    if (done) {
      toast('已删除同义词组');
      await load();
    }
  }

  async function load() {
    try {
      const [noResult, top, synonyms] = await Promise.all([
        api.get('/staff/v1/search/queries', { query: { kind: 'no_result', limit: 50 } }),
        api.get('/staff/v1/search/queries', { query: { kind: 'top', limit: 50 } }),
        api.get('/staff/v1/search/synonyms'),
      ]);
      clear(body,
        el('div', { class: 'columns-2' },
          el('section', { class: 'panel' }, el('h2', {}, '没有结果的搜索'), queryTable(noResult.items, { canEdit, reload: load, id: 'no-result-queries' })),
          el('section', { class: 'panel' }, el('h2', {}, '最常搜索'), queryTable(top.items, { canEdit, reload: load, id: 'top-queries' }))),
        el('section', { class: 'panel synonyms-panel' }, el('h2', {}, '同义词组'),
          el('div', { id: 'synonym-groups' }, table([
            { label: '同义词', value: (g) => g.terms.join('、') },
            { label: '方向', value: (g) => (g.one_way ? '单向（仅第一个词扩展）' : '双向'), class: 'nowrap' },
            { label: '添加', value: (g) => `${formatDateTime(g.created_at)} ${g.created_by || ''}`.trim() },
            canEdit ? { label: '操作', value: (g) => el('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => removeGroup(g) }, '删除') } : null,
          ].filter(Boolean), synonyms.items, { empty: '暂无同义词组' }))));
    } catch (error) {
      clear(body, el('p', { class: 'empty-page' }, error.message));
      showError(error);
    }
  }
  await load();
}
