// 部门联办 on a case page (`case.joint`, see server/cases/joint.py): the departments' steps grouped by
// stage (steps of one stage run side by side), each with its state, its own deadline and warning level,
// and its decision and files once taken, so a later step reads the earlier results; the buttons (and the
// file upload) of the steps the user's department runs. Which parts of a joint case a user has mirrors server/cases/staff_access.py.
import { api } from './api.js';
import { field, formDialog, supplementItems } from './casework.js';
import { loadCatalogs } from './content/catalogs.js';
import { actorName, el, formatDate, formatDateTime, showError, warningBadge, warningClass } from './ui.js';

// The window (综合窗口) of the case's domain takes it in; it or the lead department pushes and delivers;
// an officer of a step's department decides that step.
export function jointParts(user, joint) {
  const roles = (user && user.roles) || [];
  const departments = (user && user.departments) || [];
  const atWindow = roles.includes('window') && ((user && user.domains) || []).includes(joint.domain);
  return {
    intake: atWindow,
    coordinate: atWindow || departments.includes(joint.lead_department_id),
    step: (step) => roles.includes('officer') && departments.includes(step.department_id),
  };
}

// Department and domain names by id (the managed lists); a missing entry shows as its id.
export async function loadJointNames() {
  const catalogs = await loadCatalogs(['departments', 'domains']);
  const byId = (entries) => new Map(entries.map((e) => [e.id, e.name]));
  const departments = byId(catalogs.departments);
  const domains = byId(catalogs.domains);
  return { department: (id) => departments.get(id) || id, domain: (id) => domains.get(id) || id };
}

// Stage 1: the steps without predecessors; stage n: after a step of stage n - 1.
function stages(steps) {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const memo = new Map();
  const stageOf = (step, seen = new Set()) => {
    if (memo.has(step.id)) return memo.get(step.id);
    seen.add(step.id);
    const before = step.after.map((id) => byId.get(id)).filter((s) => s && !seen.has(s.id));
    const stage = 1 + Math.max(0, ...before.map((s) => stageOf(s, seen)));
    memo.set(step.id, stage);
    return stage;
  };
  const grouped = [];
  for (const step of steps) {
    const n = stageOf(step);
    (grouped[n - 1] ||= []).push(step);
  }
  return grouped.filter(Boolean);
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function decisionBlock(decision) {
  if (!decision) return null;
  const lines = [];
  if (decision.result === 'denied') lines.push(el('div', {}, el('span', { class: 'muted' }, '不予通过理由：'), decision.reason || '—'));
  if (decision.opinion) lines.push(el('div', {}, el('span', { class: 'muted' }, '意见：'), decision.opinion));
  if (decision.result_name || decision.result_no) {
    lines.push(el('div', {}, el('span', { class: 'muted' }, '结果文书：'),
      [decision.result_name, decision.result_no].filter(Boolean).join(' ')));
  }
  lines.push(el('div', { class: 'muted' }, `${actorName(decision.by)} · ${formatDateTime(decision.at)}`));
  return el('div', { class: 'step-decision' }, lines);
}

// `actions`: { act(label, fn, done), withReason(title, message, path, extra, done), base } of the case page.
export function jointPanel(d, user, names, actions) {
  const joint = d.joint;
  const parts = jointParts(user, joint);
  const stepNames = new Map(joint.steps.map((s) => [s.id, s.name]));
  const returned = joint.returned ? stepNames.get(joint.returned.step_id) || joint.returned.step_id : null;
  const grouped = stages(joint.steps);

  const path = (step, action) => `joint/steps/${encodeURIComponent(step.id)}/${action}`;
  const filePath = (step, file) => `${actions.base}/${path(step, 'files')}/${encodeURIComponent(file.id)}`;

  // Links are signed for a few minutes: asked for when clicked, not when the page is drawn.
  async function openFile(step, file) {
    const opened = window.open('', '_blank');
    try {
      const link = await api.get(filePath(step, file));
      if (opened) opened.location = link.url;
      else window.location.assign(link.url);
    } catch (error) {
      if (opened) opened.close();
      showError(error);
    }
  }

  function filesBlock(step, editable) {
    const files = step.files || [];
    if (!files.length && !editable) return null;
    const rows = files.map((file) => el('li', { class: 'step-file', dataset: { file: file.id } },
      el('a', { href: '#', class: 'step-file-link', onclick: (event) => { event.preventDefault(); openFile(step, file); } }, file.name),
      el('span', { class: 'muted' }, ` ${formatSize(file.size)} · ${actorName(file.by)} · ${formatDateTime(file.at)}`),
      editable ? el('button', { type: 'button', class: 'btn btn-small btn-link', dataset: { removeFile: file.id },
        onclick: () => actions.act('正在删除…', () => api.delete(filePath(step, file)), `已删除「${file.name}」`) }, '删除') : null));
    const picker = editable ? el('input', { type: 'file', class: 'step-file-input', dataset: { stepFiles: step.id },
      accept: '.pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png',
      onchange: async (event) => {
        const chosen = [...event.target.files];
        event.target.value = '';
        for (const file of chosen) {
          const done = await actions.act(`正在上传「${file.name}」…`, () => api.upload(`${actions.base}/${path(step, 'files')}`, file,
            { query: { filename: file.name } }), `已上传「${file.name}」`);
          if (!done) break;
        }
      } }) : null;
    return el('div', { class: 'step-files' },
      el('div', { class: 'muted' }, '环节文件：', files.length ? null : '暂无'),
      files.length ? el('ul', { class: 'step-file-list' }, rows) : null,
      picker ? el('label', { class: 'step-file-add' }, '上传结果文书或报告（PDF、Word、Excel、图片）：', picker) : null);
  }

  function stepCard(step) {
    const running = step.state === 'running';
    const deadline = running && step.due_on
      ? el('span', { class: `badge ${warningClass(step.warning_level)}` }, `期限 ${formatDate(step.due_on)}`) : null;
    const own = running && d.state === 'in_process' && parts.step(step);
    const buttons = own ? el('div', { class: 'inline step-actions' },
      el('button', { type: 'button', class: 'btn btn-small btn-primary', dataset: { stepAction: 'approve' }, onclick: () => approveDialog(step) }, '通过…'),
      el('button', { type: 'button', class: 'btn btn-small btn-danger', dataset: { stepAction: 'deny' }, onclick: () => denyDialog(step) }, '不予通过…'),
      el('button', { type: 'button', class: 'btn btn-small', dataset: { stepAction: 'return' }, onclick: () => returnDialog(step) }, '退回补正…')) : null;
    return el('article', { class: `joint-step step-${step.state}`, dataset: { step: step.id } },
      el('div', { class: 'step-head' }, el('strong', { class: 'step-name' }, step.name),
        el('span', { class: `badge step-badge step-badge-${step.state}` }, step.state_label)),
      el('div', { class: 'step-department' }, names.department(step.department_id)),
      step.after.length ? el('div', { class: 'muted' }, `前置步骤：${step.after.map((id) => stepNames.get(id) || id).join('、')}`) : null,
      el('div', { class: 'step-clock' }, `时限 ${step.time_limit_days} 个工作日 `, deadline,
        running && step.warning_level !== 'none' ? warningBadge(step.warning_level) : null,
        step.clock_stopped ? el('span', { class: 'muted' }, ' 暂停计时') : null),
      step.started_at ? el('div', { class: 'muted' }, `${formatDateTime(step.started_at)} 开始`,
        step.ended_at ? `，${formatDateTime(step.ended_at)} 结束` : '') : null,
      decisionBlock(step.decision), filesBlock(step, own), buttons);
  }

  async function approveDialog(step) {
    const opinion = el('textarea', { rows: 3, id: 'step-approve-opinion', maxlength: 2000 });
    const resultName = el('input', { type: 'text', id: 'step-approve-result-name', maxlength: 200 });
    const resultNo = el('input', { type: 'text', id: 'step-approve-result-no', maxlength: 100 });
    const ok = await formDialog(`通过「${step.name}」`, el('div', { class: 'form-grid' },
      field('审查意见', opinion), field('结果文书名称', resultName), field('文书编号', resultNo)), { ok: '通过' });
    if (!ok) return;
    const body = { opinion: opinion.value.trim() };
    if (resultName.value.trim()) body.result_name = resultName.value.trim();
    if (resultNo.value.trim()) body.result_no = resultNo.value.trim();
    await actions.act('正在提交…', () => api.post(`${actions.base}/${path(step, 'approve')}`, body), `「${step.name}」已通过`);
  }

  function denyDialog(step) {
    return actions.withReason(`「${step.name}」不予通过`, '请填写不予通过的理由（整个办件将不予办理，理由告知申请人）',
      path(step, 'deny'), {}, '已作出不予办理决定');
  }

  async function returnDialog(step) {
    const items = supplementItems(d.materials.map((m) => ({ material: m, reason: m.verdict === 'problem' ? m.verdict_reason || '' : '' })),
      { pick: true });
    const reason = el('textarea', { rows: 2, id: 'step-return-reason' });
    const body = el('div', { class: 'supplement-body', id: 'step-return-dialog' },
      el('label', { class: 'required' }, '退回原因'), reason,
      el('p', {}, '勾选需要补正的材料并写明问题，将一次性告知申请人：'), items.node,
      el('p', { class: 'muted' }, '退回后各环节暂停计时，申请人补正提交后直接回到联办环节继续计时。'));
    const ok = await formDialog(`「${step.name}」退回补正`, body, {
      ok: '退回补正', wide: true,
      validate: () => (!reason.value.trim() ? '请填写退回原因' : items.incomplete() ? '勾选的每项材料都要写明问题' : null),
    });
    if (!ok) return;
    const listed = items.chosen().map((c) => ({ slot_id: c.material.slot_id, reason: c.reason }));
    await actions.act('正在提交…', () => api.post(`${actions.base}/${path(step, 'return')}`,
      { reason: reason.value.trim(), items: listed }), '已退回申请人补正');
  }

  const holding = joint.holding_department_ids.map(names.department).join('、');
  return el('section', { class: 'panel joint-panel', id: 'joint-panel' },
    el('h2', {}, '部门联办'),
    el('div', { class: 'joint-meta' },
      el('span', {}, el('span', { class: 'muted' }, '审批领域：'), names.domain(joint.domain)),
      el('span', {}, el('span', { class: 'muted' }, '牵头部门：'), names.department(joint.lead_department_id)),
      holding ? el('span', { id: 'joint-holding' }, el('span', { class: 'muted' }, '当前办理：'), holding) : null,
      returned ? el('span', { class: 'joint-returned' }, `「${returned}」已退回申请人补正，补正提交后回到该环节`) : null),
    el('div', { class: 'joint-stages' }, grouped.map((steps, i) => el('div', { class: 'joint-stage' },
      el('div', { class: 'joint-stage-title' }, `第 ${i + 1} 阶段${steps.length > 1 ? '（并行）' : ''}`),
      steps.map(stepCard)))));
}
