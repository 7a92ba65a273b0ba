// A form for content of any type, built from the type's layout (types.js) and its JSON schema.
//
//   const form = buildForm(type, schemaInfo, content, env);  // env: { itemId, upload(file, onProgress), catalogs }
//   root.append(form.node);
//   const content = form.read();   // throws FormInvalid (problems are shown next to the fields)
//   form.showServerProblems(error.details.fields);
import { el } from '../ui.js';
import { catalogSelect } from './catalogs.js';

export class FormInvalid extends Error {
  constructor(problems) {
    super(`请修正以下问题：${problems.map((p) => `${p.label}：${p.message}`).join('；')}`);
    this.name = 'FormInvalid';
    this.problems = problems;
  }
}

class FieldError extends Error {}

const SPLIT_TAGS = /[,，、;；\n]+/;
let uid = 0;
const nextId = () => `f${++uid}`;

function unwrap(schema) {
  if (schema && Array.isArray(schema.anyOf)) {
    const inner = schema.anyOf.find((s) => s.type !== 'null') || {};
    return { schema: inner, nullable: schema.anyOf.some((s) => s.type === 'null') };
  }
  return { schema: schema || {}, nullable: false };
}

function isFileRef(schema) {
  return schema.type === 'object' && schema.properties && 'key' in schema.properties && 'name' in schema.properties;
}

function autoWidget(schema, labels) {
  const type = schema.type;
  if (isFileRef(schema)) return 'file';
  if ((type === 'string' || type === 'integer') && (schema.enum || labels)) return 'select';
  if (type === 'string') return (schema.maxLength || 0) > 500 ? 'textarea' : 'text';
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'boolean') return 'bool';
  if (type === 'array') {
    const items = unwrap(schema.items).schema;
    if (isFileRef(items)) return 'files';
    if (items.type === 'string' && items.enum) return 'checks';
    if (items.type === 'string') return 'tags';
  }
  return 'json';
}

function optionsOf(schema, labels, desc) {
  const codes = schema.enum ? schema.enum.map(String) : Object.keys(labels || desc.labels || {});
  const names = labels || desc.labels || {};
  return codes.map((code) => ({ code, label: names[code] ? `${names[code]}` : code }));
}

// ------------------------------------------------------------------------------------- widgets

const WIDGETS = {
  text(ctx) {
    const input = el('input', { type: 'text', id: ctx.id, name: ctx.path, maxlength: ctx.schema.maxLength });
    input.value = ctx.value ?? '';
    return { node: input, get: () => input.value.trim() || undefined };
  },

  textarea(ctx) {
    const area = el('textarea', { id: ctx.id, name: ctx.path, rows: ctx.desc.rows || 3, maxlength: ctx.schema.maxLength });
    area.value = ctx.value ?? '';
    return { node: area, get: () => (area.value.trim() ? area.value : undefined) };
  },

  markdown(ctx) {
    const field = WIDGETS.textarea({ ...ctx, desc: { rows: 6, ...ctx.desc } });
    return { node: el('div', {}, field.node, el('div', { class: 'muted' }, '支持 Markdown 格式')), get: field.get };
  },

  select(ctx) {
    const isInt = ctx.schema.type === 'integer';
    const select = el('select', { id: ctx.id, name: ctx.path },
      el('option', { value: '' }, '（请选择）'),
      optionsOf(ctx.schema, ctx.labels, ctx.desc).map((o) => el('option', { value: o.code }, o.label)));
    select.value = ctx.value === undefined || ctx.value === null ? '' : String(ctx.value);
    return { node: select, get: () => (select.value === '' ? undefined : isInt ? Number(select.value) : select.value) };
  },

  checks(ctx) {
    const items = unwrap(ctx.schema.items).schema;
    const chosen = new Set((ctx.value || []).map(String));
    const boxes = optionsOf(items, ctx.labels, ctx.desc).map((o) => {
      const box = el('input', { type: 'checkbox', value: o.code, checked: chosen.has(o.code) });
      return { box, node: el('label', {}, box, o.label) };
    });
    return {
      node: el('div', { class: 'checks', id: ctx.id }, boxes.map((b) => b.node)),
      get: () => boxes.filter((b) => b.box.checked).map((b) => b.box.value),
    };
  },

  tags(ctx) {
    const input = el('input', { type: 'text', id: ctx.id, name: ctx.path });
    input.value = (ctx.value || []).join('、');
    return {
      node: input,
      get: () => [...new Set(input.value.split(SPLIT_TAGS).map((t) => t.trim()).filter(Boolean))],
    };
  },

  number(ctx) {
    const input = el('input', { type: 'number', id: ctx.id, name: ctx.path, min: ctx.schema.minimum, max: ctx.schema.maximum, step: 1 });
    input.value = ctx.value ?? '';
    return {
      node: input,
      get: () => {
        if (input.value.trim() === '') return undefined;
        const number = Number(input.value);
        if (!Number.isInteger(number)) throw new FieldError('请输入整数');
        return number;
      },
    };
  },

  yuan(ctx) {
    const input = el('input', { type: 'number', id: ctx.id, name: ctx.path, min: 0, step: '0.01' });
    input.value = ctx.value === undefined || ctx.value === null ? '' : (ctx.value / 100).toFixed(2);
    return {
      node: el('span', { class: 'inline' }, input, '元'),
      get: () => {
        if (input.value.trim() === '') return undefined;
        const yuan = Number(input.value);
        if (!Number.isFinite(yuan) || yuan < 0) throw new FieldError('请输入不小于 0 的金额');
        return Math.round(yuan * 100);
      },
    };
  },

  bool(ctx) {
    const box = el('input', { type: 'checkbox', id: ctx.id, name: ctx.path, checked: Boolean(ctx.value) });
    return { node: el('div', { class: 'checks' }, el('label', {}, box, '是')), get: () => box.checked };
  },

  'time-limit'(ctx) {
    const current = ctx.value || {};
    const value = el('input', { type: 'number', min: 0, max: 3650, step: 1, id: ctx.id, name: `${ctx.path}.value` });
    value.value = current.value ?? '';
    const unitSchema = ctx.schema.properties.unit;
    const unitLabels = ctx.env.labels[`${ctx.path}.unit`] || {};
    const unit = el('select', { name: `${ctx.path}.unit` },
      optionsOf(unitSchema, unitLabels, {}).map((o) => el('option', { value: o.code }, o.label)));
    unit.value = current.unit || 'working_days';
    const note = el('input', { type: 'text', placeholder: '说明（可选）', name: `${ctx.path}.note`, maxlength: 500 });
    note.value = current.note || '';
    return {
      node: el('div', { class: 'inline' }, value, unit, note),
      get: () => {
        if (value.value.trim() === '') return undefined;
        const number = Number(value.value);
        if (!Number.isInteger(number) || number < 0) throw new FieldError('时限应为不小于 0 的整数');
        const limit = { ...current, value: number, unit: unit.value };
        if (note.value.trim()) limit.note = note.value.trim();
        else delete limit.note;
        return limit;
      },
    };
  },

  file(ctx) {
    let current = ctx.value || null;
    const name = el('span', { class: 'file-name' });
    const input = el('input', { type: 'file', name: ctx.path, id: ctx.id, disabled: !ctx.env.itemId, class: 'file-input' });
    const remove = el('button', { type: 'button', class: 'btn btn-small btn-danger' }, '移除');
    const status = el('span');
    const show = () => {
      name.textContent = current ? `${current.name}${current.size ? `（${Math.ceil(current.size / 1024)} KB）` : ''}` : '未上传';
      name.className = current ? 'file-name' : 'muted';
      remove.hidden = !current;
    };
    remove.addEventListener('click', () => {
      current = null;
      show();
      ctx.env.changed();
    });
    input.addEventListener('change', async () => {
      const file = input.files[0];
      if (!file) return;
      const ref = await ctx.env.upload(file, status);
      input.value = '';
      if (ref) {
        current = ref;
        show();
        ctx.env.changed();
      }
    });
    show();
    const hint = ctx.env.itemId ? null : el('span', { class: 'muted' }, '请先保存，再上传文件');
    return { node: el('div', { class: 'file-field' }, name, remove, fileButton(input, '上传文件'), status, hint), get: () => current || undefined };
  },

  files(ctx) {
    const current = [...(ctx.value || [])];
    const list = el('div', { class: 'list-editor' });
    const input = el('input', { type: 'file', multiple: true, id: ctx.id, name: ctx.path, disabled: !ctx.env.itemId, class: 'file-input' });
    const status = el('span');
    const show = () => {
      list.replaceChildren(...current.map((ref, index) => el('div', { class: 'file-field' },
        el('span', { class: 'file-name' }, ref.name),
        el('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => {
          current.splice(index, 1);
          show();
          ctx.env.changed();
        } }, '移除'))));
      if (!current.length) list.append(el('span', { class: 'muted' }, '暂无附件'));
    };
    input.addEventListener('change', async () => {
      for (const file of [...input.files]) {
        const ref = await ctx.env.upload(file, status);
        if (ref) current.push(ref);
      }
      input.value = '';
      show();
      ctx.env.changed();
    });
    show();
    const hint = ctx.env.itemId ? null : el('span', { class: 'muted' }, '请先保存，再上传文件');
    return { node: el('div', {}, list, el('div', { class: 'file-field' }, fileButton(input, '添加附件'), status, hint)), get: () => [...current] };
  },

  catalog(ctx) {
    const select = catalogSelect({ id: ctx.id, name: ctx.path }, '（请选择）', ctx.env.catalogs[ctx.desc.list] || [], ctx.value);
    return { node: select, get: () => select.value || undefined };
  },

  'catalog-multi'(ctx) {
    const entries = [...(ctx.env.catalogs[ctx.desc.list] || [])];
    const chosen = new Set(ctx.value || []);
    for (const id of chosen) if (!entries.some((e) => e.id === id)) entries.push({ id, name: id });
    const boxes = entries.map((e) => {
      const box = el('input', { type: 'checkbox', value: e.id, checked: chosen.has(e.id) });
      return { box, node: el('label', {}, box, e.name) };
    });
    return {
      node: el('div', { class: 'checks', id: ctx.id }, boxes.length ? boxes.map((b) => b.node) : el('span', { class: 'muted' }, '暂无可选项')),
      get: () => boxes.filter((b) => b.box.checked).map((b) => b.box.value),
    };
  },

  object(ctx) {
    const original = ctx.value || {};
    const sub = buildFields(ctx.desc.fields || fieldsOf(ctx.schema), ctx.schema, original, ctx.path, ctx.env);
    return {
      node: el('div', { class: 'list-row' }, sub.node),
      get: () => {
        const loose = sub.get({ skipRequired: true });
        const filled = Object.values(loose).some((v) => v !== undefined && v !== false && !(Array.isArray(v) && !v.length));
        if (ctx.nullable && !filled) return undefined;
        return merge(original, sub.get());
      },
    };
  },

  list(ctx) {
    const itemSchema = unwrap(ctx.schema.items).schema;
    const rows = [];
    const box = el('div', { class: 'list-editor', id: ctx.id });
    const itemLabel = ctx.desc.itemLabel || '条目';
    const fields = ctx.desc.fields || fieldsOf(itemSchema).filter((f) => f.name !== 'id');
    const renumber = () => rows.forEach((row, index) => {
      row.number.textContent = `${itemLabel} ${index + 1}`;
      row.up.disabled = index === 0;
      row.down.disabled = index === rows.length - 1;
    });
    const addRow = (original) => {
      const sub = buildFields(fields, itemSchema, original, ctx.path, ctx.env);
      const row = { original, sub, number: el('span', { class: 'title' }) };
      row.up = el('button', { type: 'button', class: 'btn btn-small', title: '上移', onclick: () => move(row, -1) }, '上移');
      row.down = el('button', { type: 'button', class: 'btn btn-small', title: '下移', onclick: () => move(row, 1) }, '下移');
      const remove = el('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => {
        rows.splice(rows.indexOf(row), 1);
        row.node.remove();
        renumber();
        ctx.env.changed();
      } }, '删除');
      const idBadge = ctx.desc.showId ? el('span', { class: 'badge' }, original.id ? `编号 ${original.id}` : '新增') : null;
      row.node = el('div', { class: 'list-row' }, el('div', { class: 'list-row-head' }, row.number, idBadge, row.up, row.down, remove), sub.node);
      rows.push(row);
      box.insertBefore(row.node, add);
      renumber();
    };
    const move = (row, step) => {
      const index = rows.indexOf(row);
      const target = index + step;
      if (target < 0 || target >= rows.length) return;
      rows.splice(index, 1);
      rows.splice(target, 0, row);
      rows.forEach((r) => box.insertBefore(r.node, add));
      renumber();
      ctx.env.changed();
    };
    const add = el('button', { type: 'button', class: 'btn btn-small list-add', onclick: () => {
      addRow({});
      ctx.env.changed();
    } }, `＋ 添加${itemLabel}`);
    box.append(add);
    for (const item of ctx.value || []) addRow(item);
    return { node: box, get: () => rows.map((row) => merge(row.original, row.sub.get())) };
  },

  json(ctx) {
    const area = el('textarea', { id: ctx.id, name: ctx.path, rows: 6, class: 'json-field', spellcheck: 'false' });
    area.value = ctx.value === undefined ? '' : JSON.stringify(ctx.value, null, 2);
    return {
      node: el('div', {}, area, el('div', { class: 'muted' }, '以 JSON 格式填写')),
      get: () => {
        if (!area.value.trim()) return undefined;
        try {
          return JSON.parse(area.value);
        } catch {
          throw new FieldError('不是有效的 JSON');
        }
      },
    };
  },
};

// A Chinese button around the browser's file input (whose own button follows the browser's language).
function fileButton(input, label) {
  return el('label', { class: `btn btn-small file-button${input.disabled ? ' disabled' : ''}` }, label, input);
}

// Fields for an object schema no layout describes: named as the schema names them.
function fieldsOf(schema) {
  return Object.entries(schema.properties || {}).map(([name, prop]) => ({
    name, label: unwrap(prop).schema.title || name, hint: unwrap(prop).schema.description,
  }));
}

// Known fields overwrite, fields this form does not show (ids, new server fields) are kept.
function merge(original, values) {
  const result = { ...original };
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete result[name];
    else result[name] = value;
  }
  return result;
}

// ------------------------------------------------------------------------------------- building

// Label + control pairs in a .form-grid for `fields` of an object `schema`; get() returns {name: value}.
function buildFields(fields, schema, value, parentPath, env) {
  const grid = el('div', { class: 'form-grid' });
  const required = new Set(schema.required || []);
  const controls = [];
  for (const desc of fields) {
    const propSchema = (schema.properties || {})[desc.name];
    if (!propSchema) continue; // the server no longer has this field
    const path = parentPath ? `${parentPath}.${desc.name}` : desc.name;
    const { schema: inner, nullable } = unwrap(propSchema);
    const labels = env.labels[path];
    const widget = desc.widget || autoWidget(inner, labels);
    const id = nextId();
    const control = WIDGETS[widget]({ desc, schema: inner, nullable, value: value[desc.name], path, id, labels, env });
    const error = el('p', { class: 'field-error', hidden: true });
    const label = el('label', { for: id, class: required.has(desc.name) ? 'required' : undefined }, desc.label);
    const wrap = el('div', { class: 'field', dataset: { field: path } }, control.node,
      desc.hint ? el('div', { class: 'muted' }, desc.hint) : null, error);
    grid.append(label, wrap);
    controls.push({ desc, path, control, error, wrap, required: required.has(desc.name) });
  }
  const setError = (entry, message) => {
    entry.error.textContent = message || '';
    entry.error.hidden = !message;
    entry.wrap.classList.toggle('has-error', Boolean(message));
  };
  return {
    node: grid,
    controls,
    get({ skipRequired = false } = {}) {
      const values = {};
      const problems = [];
      for (const entry of controls) {
        try {
          const got = entry.control.get();
          if (!skipRequired && entry.required && (got === undefined || got === '')) throw new FieldError('此项必填');
          values[entry.desc.name] = got;
          setError(entry, '');
        } catch (error) {
          if (error instanceof FormInvalid) {
            problems.push(...error.problems);
          } else if (error instanceof FieldError) {
            setError(entry, error.message);
            problems.push({ label: entry.desc.label, message: error.message });
          } else {
            throw error;
          }
        }
      }
      if (problems.length) throw new FormInvalid(problems);
      return values;
    },
    setError,
  };
}

// The whole editor form: the layout's sections, then every schema field the layout does not know.
export function buildForm(type, schemaInfo, content, env) {
  const schema = schemaInfo.schema;
  const fullEnv = { catalogs: {}, changed: () => {}, ...env, labels: schemaInfo.enum_labels || {} };
  const known = new Set();
  const sections = type.sections.map((section) => {
    section.fields.forEach((f) => known.add(f.name));
    return { title: section.title, fields: section.fields };
  });
  const extra = fieldsOf(schema).filter((f) => !known.has(f.name));
  if (extra.length) sections.push({ title: '其他字段', fields: extra });

  const parts = sections.map((section) => ({
    title: section.title,
    built: buildFields(section.fields, schema, content, '', fullEnv),
  }));
  const node = el('div', { class: 'content-form' }, parts.map((part) => el('section', { class: 'panel form-panel' },
    el('h2', {}, part.title), part.built.node)));
  node.addEventListener('input', () => fullEnv.changed());
  node.addEventListener('change', () => fullEnv.changed());

  return {
    node,
    read() {
      let values = {};
      const problems = [];
      for (const part of parts) {
        try {
          values = { ...values, ...part.built.get() };
        } catch (error) {
          if (!(error instanceof FormInvalid)) throw error;
          problems.push(...error.problems);
        }
      }
      if (problems.length) throw new FormInvalid(problems);
      return merge(content, values);
    },
    // fields: [{path: '/materials/0/name', message}] from a 422 content_invalid answer.
    showServerProblems(fields) {
      for (const problem of fields || []) {
        const top = String(problem.path || '').split('/')[1];
        for (const part of parts) {
          const entry = part.built.controls.find((c) => c.desc.name === top);
          if (entry) part.built.setError(entry, problem.message);
        }
      }
    },
  };
}
