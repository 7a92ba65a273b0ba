// Shared by the case-work pages (预审工作台, 办件, 监督, 节假日): their stylesheet, case labels, masking,
// and a form dialog. Pages live in js/pages/; this module is not a page.
import { el } from './ui.js';

const STYLESHEET = '/console/static/css/casework.css';

// The pages' own stylesheet, linked once (the CSP allows stylesheets from this origin, not inline styles).
export function useCaseworkStyles() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  document.head.append(el('link', { rel: 'stylesheet', href: STYLESHEET }));
}

// server/cases/states.py STATE_LABELS
export const CASE_STATE_LABELS = {
  submitted: '待预审',
  supplement_requested: '待补正',
  pre_review_passed: '预审通过',
  accepted: '已受理',
  not_accepted: '不予受理',
  in_process: '办理中',
  suspended: '特别程序中',
  approved: '准予办理',
  denied: '不予办理',
  delivered: '已送达',
  archived: '已归档',
  withdrawn: '已撤回',
};

// server/cases/states.py Action, as the history shows them.
export const ACTION_LABELS = {
  submit: '提交申请',
  request_supplement: '补正通知',
  resubmit: '补正后重新提交',
  pass_pre_review: '预审通过',
  accept: '受理',
  not_accept: '不予受理',
  start_processing: '开始办理',
  record_step: '办理环节',
  suspend: '特别程序',
  resume: '结束特别程序',
  approve: '准予办理',
  deny: '不予办理',
  deliver: '送达',
  archive: '归档',
  withdraw: '撤回',
  flag_warning: '监察预警',
  joint_push: '推送联办部门',
  step_approve: '联办环节通过',
  step_deny: '联办环节不予通过',
  step_return: '联办环节退回补正',
  joint_resubmit: '补正后返回联办环节',
  joint_approve: '联办环节全部通过',
};

export function caseStateBadge(state, label) {
  return el('span', { class: `badge case-state case-${state}` }, label || CASE_STATE_LABELS[state] || state);
}

// 张三丰 -> 张*丰 (as server/identity/names.py masks names in lists)
export function maskName(name) {
  if (!name) return '—';
  if (name.length <= 1) return name;
  if (name.length === 2) return `${name[0]}*`;
  return name[0] + '*'.repeat(name.length - 2) + name[name.length - 1];
}

// 11010519491231002X -> 1101**********002X; 13812345678 -> 138****5678
export function maskIdNumber(value) {
  if (!value) return '—';
  if (value.includes('*') || value.length < 8) return value;
  return value.slice(0, 4) + '*'.repeat(value.length - 8) + value.slice(-4);
}

export function maskMobile(value) {
  if (!value) return '—';
  if (value.includes('*') || value.length < 7) return value;
  return value.slice(0, 3) + '*'.repeat(value.length - 7) + value.slice(-4);
}

// A modal form: `body` holds the fields; resolves to true (confirmed) or false. `validate()` may return
// a message to keep the dialog open and show it.
export function formDialog(title, body, { ok = '确定', cancel = '取消', danger = false, validate, wide = false } = {}) {
  return new Promise((resolve) => {
    const hint = el('p', { class: 'field-error', hidden: true });
    const dlg = el('dialog', { class: `dialog${wide ? ' dialog-wide' : ''}` });
    const finish = (value) => {
      dlg.close();
      dlg.remove();
      resolve(value);
    };
    const confirm = () => {
      const problem = validate ? validate() : null;
      if (problem) {
        hint.textContent = problem;
        hint.hidden = false;
        return;
      }
      finish(true);
    };
    dlg.append(el('h3', {}, title), body, hint, el('div', { class: 'dialog-buttons' },
      el('button', { type: 'button', class: 'btn', onclick: () => finish(false) }, cancel),
      el('button', { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, dataset: { role: 'ok' }, onclick: confirm }, ok)));
    dlg.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

// The materials of a supplement notice (一次性告知), each with the problem the applicant will read.
// entries: [{ material, reason, fixed }] (a fixed reason is shown, not edited). With `pick`, every
// editable entry has a checkbox (checked when it comes with a reason) and only the checked ones count.
export function supplementItems(entries, { pick = false } = {}) {
  const edits = [];
  const items = entries.map(({ material, reason = '', fixed = false }) => {
    const name = el('strong', {}, material.name);
    if (fixed) return el('li', {}, name, el('span', { class: 'muted' }, `：${reason}`));
    const input = el('textarea', { rows: 2, class: 'supplement-reason', dataset: { slot: material.slot_id } });
    input.value = reason;
    let check = null;
    if (pick) {
      check = el('input', { type: 'checkbox', class: 'supplement-pick', dataset: { slot: material.slot_id }, checked: Boolean(reason) });
      const sync = () => { input.disabled = !check.checked; };
      check.addEventListener('change', sync);
      sync();
    }
    edits.push({ material, input, check });
    return el('li', {}, check ? el('label', { class: 'inline' }, check, name) : name, input);
  });
  const chosen = () => edits.filter((e) => !e.check || e.check.checked)
    .map((e) => ({ material: e.material, reason: e.input.value.trim() }));
  return { node: el('ol', { class: 'supplement-items' }, items), chosen, incomplete: () => chosen().some((c) => !c.reason) };
}

export function field(label, input, { required = false } = {}) {
  return [el('label', { class: required ? 'required' : undefined }, label), input];
}

export function daysText(n) {
  if (n === null || n === undefined) return '—';
  if (n < 0) return `已超期 ${-n} 天`;
  return `剩余 ${n} 天`;
}
