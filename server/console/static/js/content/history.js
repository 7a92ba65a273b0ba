// Revision history of an item: the list, a readable field-by-field diff of any two revisions, rollback.
import { api } from '../api.js';
import { actorName, busy, clear, confirmDialog, el, formatDateTime, showError, table, toast } from '../ui.js';
import { fieldLabels } from './types.js';

const ORIGINS = { create: '新建', save: '保存', rollback: '回滚', import: '导入' };
const CHANGES = { added: '新增', removed: '删除', changed: '修改', reordered: '调整顺序' };
const MAX_CHAR_DIFF = 4_000_000; // cells of the LCS table; longer texts are shown as replaced whole

// "materials[id=m3].name" -> { key: "materials.name", where: ["编号 m3"] }
function splitPath(path) {
  const where = [];
  const key = path.replace(/\[([^\]]*)\]/g, (_, inside) => {
    if (inside.startsWith('id=')) where.push(`编号 ${inside.slice(3)}`);
    else where.push(`第 ${Number(inside) + 1} 项`);
    return '';
  });
  return { key, where };
}

function isFileRef(value) {
  return value && typeof value === 'object' && 'key' in value && 'name' in value;
}

function formatValue(value, key, env) {
  if (value === null || value === undefined || value === '') return '（空）';
  if (typeof value === 'boolean') return value ? '是' : '否';
  const labels = env.enumLabels[key];
  if (labels && (typeof value === 'string' || typeof value === 'number')) return labels[String(value)] || String(value);
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (isFileRef(value)) return `文件：${value.name}`;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return value.map((v) => formatValue(v, key, env)).join('、') || '（空）';
    return value.map((v, i) => `【${i + 1}】${formatValue(v, key, env)}`).join('\n');
  }
  return Object.entries(value).map(([name, v]) => {
    const sub = `${key}.${name}`;
    const label = name === 'id' ? '编号' : (env.labels[sub] || name).split(' · ').pop();
    return `${label}：${formatValue(v, sub, env)}`;
  }).join('\n');
}

// Character-level differences of two texts: [{kind: 'same'|'del'|'ins', text}].
export function textDiff(before, after) {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start += 1;
  let end = 0;
  while (end < before.length - start && end < after.length - start
    && before[before.length - 1 - end] === after[after.length - 1 - end]) end += 1;
  const a = before.slice(start, before.length - end);
  const b = after.slice(start, after.length - end);
  const middle = [];
  if (a.length * b.length > MAX_CHAR_DIFF) {
    middle.push({ kind: 'del', text: a }, { kind: 'ins', text: b });
  } else {
    const rows = a.length + 1;
    const cols = b.length + 1;
    const lcs = new Uint32Array(rows * cols);
    for (let i = a.length - 1; i >= 0; i -= 1) {
      for (let j = b.length - 1; j >= 0; j -= 1) {
        lcs[i * cols + j] = a[i] === b[j] ? lcs[(i + 1) * cols + j + 1] + 1
          : Math.max(lcs[(i + 1) * cols + j], lcs[i * cols + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    const push = (kind, text) => {
      const last = middle[middle.length - 1];
      if (last && last.kind === kind) last.text += text;
      else middle.push({ kind, text });
    };
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) {
        push('same', a[i]); i += 1; j += 1;
      } else if (j < b.length && (i === a.length || lcs[i * cols + j + 1] >= lcs[(i + 1) * cols + j])) {
        push('ins', b[j]); j += 1;
      } else {
        push('del', a[i]); i += 1;
      }
    }
  }
  const parts = [];
  if (start) parts.push({ kind: 'same', text: before.slice(0, start) });
  parts.push(...middle.filter((p) => p.text));
  if (end) parts.push({ kind: 'same', text: before.slice(before.length - end) });
  return parts;
}

function valueCells(change, key, env) {
  const { before, after } = change;
  if (change.change === 'changed' && typeof before === 'string' && typeof after === 'string' && !env.enumLabels[key]) {
    const parts = textDiff(before, after);
    return [
      el('span', { class: 'diff-value' }, parts.filter((p) => p.kind !== 'ins').map((p) => (p.kind === 'del' ? el('del', { class: 'diff-old' }, p.text) : p.text))),
      el('span', { class: 'diff-value' }, parts.filter((p) => p.kind !== 'del').map((p) => (p.kind === 'ins' ? el('ins', { class: 'diff-new' }, p.text) : p.text))),
    ];
  }
  const show = (value, cls) => (change.change === 'added' && value === before) || (change.change === 'removed' && value === after)
    ? el('span', { class: 'muted' }, '—') : el('span', { class: `diff-value ${cls}` }, formatValue(value, key, env));
  return [show(before, 'diff-old'), show(after, 'diff-new')];
}

export function renderDiff(diff, env) {
  const rows = diff.changes.map((change) => {
    const { key, where } = splitPath(change.path);
    const label = env.labels[key] || key;
    const [old, fresh] = valueCells(change, key, env);
    return { change, label, where, old, fresh };
  });
  return el('div', { class: 'diff', id: 'diff' },
    el('p', { class: 'muted' }, `修订 #${diff.from.number}（${formatDateTime(diff.from.created_at)}）→ 修订 #${diff.to.number}（${formatDateTime(diff.to.created_at)}），共 ${rows.length} 处变化`),
    table([
      { label: '字段', value: (r) => [el('div', {}, r.label), r.where.length ? el('div', { class: 'diff-path' }, r.where.join(' · ')) : null] },
      { label: '变化', value: (r) => el('span', { class: `diff-kind diff-${r.change.change}` }, CHANGES[r.change.change] || r.change.change) },
      { label: '修改前', value: (r) => r.old },
      { label: '修改后', value: (r) => r.fresh },
    ], rows, { empty: '两个修订内容相同' }));
}

export async function renderHistory(root, type, item, ctx, { fieldSchema, onRolledBack }) {
  const base = `${type.base}/${encodeURIComponent(item.id)}`;
  const env = { labels: fieldLabels(type), enumLabels: fieldSchema.enum_labels || {} };
  clear(root, el('p', { class: 'muted' }, '正在加载修订历史…'));
  const revisions = (await api.get(`${base}/revisions`)).items;
  const canRollback = ctx.hasRole('editor');

  const options = () => [
    ...revisions.map((r) => el('option', { value: r.id }, `修订 #${r.number}${r.number === item.draft_number ? '（当前草稿）' : ''}${r.number === item.live_number ? '（线上）' : ''}`)),
  ];
  const from = el('select', { id: 'diff-from' }, options());
  const to = el('select', { id: 'diff-to' }, options());
  if (revisions.length > 1) from.value = revisions[1].id;
  const result = el('div', { class: 'diff-result' });

  async function compare(fromId, toId) {
    from.value = fromId;
    to.value = toId;
    clear(result, el('p', { class: 'muted' }, '正在比较…'));
    try {
      const diff = await api.get(`${base}/diff`, { query: { from: fromId, to: toId } });
      clear(result, renderDiff(diff, env));
    } catch (error) {
      clear(result);
      showError(error);
    }
  }

  async function rollback(revision) {
    if (!(await confirmDialog(`将修订 #${revision.number} 的内容保存为新的草稿？当前草稿会保留在历史中。`, { ok: '回滚' }))) return;
    try {
      const rolled = await busy('正在回滚…', () => api.post(`${base}/rollback`, {
        revision_id: revision.id, base_version: item.version, note: `回滚到修订 #${revision.number}`,
      }), { rethrow: true });
      toast(`已回滚到修订 #${revision.number}（新草稿 #${rolled.draft_number}）`);
      onRolledBack(rolled);
    } catch (error) {
      showError(error, error.code === 'stale_revision'
        ? { kind: 'warn', actions: [{ label: '重新加载', onClick: () => ctx.navigate(location.hash) }] } : undefined);
    }
  }

  const list = table([
    { label: '修订', value: (r) => `#${r.number}`, class: 'nowrap' },
    { label: '时间', value: (r) => formatDateTime(r.created_at), class: 'nowrap' },
    { label: '修改人', value: (r) => actorName(r.created_by) },
    { label: '说明', value: (r) => [el('span', { class: 'badge' }, ORIGINS[r.origin] || r.origin), ' ', r.note || ''] },
    {
      label: '操作', class: 'nowrap', value: (r) => {
        const index = revisions.indexOf(r);
        const older = revisions[index + 1];
        return [
          older ? el('button', { type: 'button', class: 'btn btn-small', dataset: { compare: r.number }, onclick: () => compare(older.id, r.id) }, '与上一版比较') : null,
          canRollback && r.number !== item.draft_number
            ? el('button', { type: 'button', class: 'btn btn-small', dataset: { rollback: r.number }, onclick: () => rollback(r) }, '回滚到此版') : null,
        ];
      },
    },
  ], revisions, { empty: '暂无修订' });

  clear(root, el('div', { class: 'history' },
    el('section', { class: 'panel' }, el('h2', {}, '修订列表'), list),
    el('section', { class: 'panel' }, el('h2', {}, '比较修订'),
      el('div', { class: 'toolbar' }, '从', from, '到', to,
        el('button', { type: 'button', class: 'btn', id: 'diff-run', onclick: () => compare(from.value, to.value) }, '比较')),
      result)));
  if (revisions.length > 1) await compare(revisions[1].id, revisions[0].id);
}
