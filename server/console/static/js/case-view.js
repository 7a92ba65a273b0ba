// One case at the window (`#/workbench/<id>`): applicant (masked unless revealed), materials in a viewer
// (zoom, rotate, previous/next page, fit), a verdict per material, the one supplement notice (一次性告知),
// pass pre-review, accept / not accept / steps / special procedure / approve / deny / deliver / archive;
// for a joint case (联办件) the push to its departments and their steps (js/joint-panel.js) instead.
// Buttons appear only when the case's state allows the action; every failure shows the server's message.
import { api } from './api.js';
import {
  ACTION_LABELS, CASE_STATE_LABELS, caseStateBadge, daysText, field, formDialog, maskIdNumber, maskMobile, maskName,
  supplementItems,
} from './casework.js';
import { jointPanel, jointParts, loadJointNames } from './joint-panel.js';
import { actorName, busy, clear, confirmDialog, el, formatDate, formatDateTime, promptDialog, toast, warningBadge } from './ui.js';

const ORIGINALS = [['one_visit', '一次到窗口核验原件'], ['by_mail', '邮寄原件核验'], ['none', '无需核验原件']];
const STEP_ACTIONS = [['pass', '通过'], ['return', '退回'], ['other', '其他']];
const PROCEDURES = [['extension', '延期'], ['expert_review', '专家评审'], ['hearing', '听证'], ['other', '其他']];
const DELIVERY = [['express', '快递寄送'], ['pickup', '窗口领取'], ['e_licence', '电子证照']];
const MISSING_REASON = '未提交该材料';
const ZOOM_FACTOR = 1.25;
const MIN_ZOOM = 0.05;
const MAX_ZOOM = 8;

function options(pairs, selected) {
  return pairs.map(([value, label]) => el('option', { value, selected: value === selected }, label));
}

export async function renderCase(root, caseId, ctx) {
  const base = `/staff/v1/cases/${encodeURIComponent(caseId)}`;
  const view = { detail: null, slot: null, page: 0, zoom: 1, fit: true, rotation: 0, reveal: false, names: null };

  async function reload() {
    view.detail = await api.get(base);
    if (view.detail.joint && !view.names) view.names = await loadJointNames();
    const slots = view.detail.materials;
    if (!view.slot || !slots.some((m) => m.slot_id === view.slot)) {
      view.slot = (slots.find((m) => m.pages.length) || slots[0] || {}).slot_id || null;
      view.page = 0;
    }
    draw();
  }

  // Runs an action with the progress overlay, then shows the case as it is now; false if it failed.
  async function act(label, fn, done) {
    const ok = await busy(label, async () => {
      await fn();
      return true;
    });
    if (!ok) return false;
    if (done) toast(done);
    await busy('正在刷新…', reload);
    return true;
  }

  const claimedByMe = () => {
    const claim = view.detail.claim;
    return Boolean(claim && ctx.user && claim.staff_id === ctx.user.id);
  };
  const reviewing = () => view.detail.state === 'submitted' && claimedByMe();

  // ------------------------------------------------------------------ header and applicant
  function header(d) {
    const claim = d.claim
      ? el('span', { class: claimedByMe() ? 'claim-mine' : 'claim-other', id: 'case-claim' },
        claimedByMe() ? `我已领取（至 ${formatDateTime(d.claim.until)}）` : `${d.claim.name} 预审中`)
      : null;
    return el('div', { class: 'case-head' },
      el('a', { href: '#/workbench', class: 'btn btn-link' }, '← 返回队列'),
      el('h1', { id: 'case-number' }, d.number),
      el('span', { class: 'case-guide' }, d.guide.name),
      el('span', { id: 'case-state' }, caseStateBadge(d.state, d.state_label)),
      warningBadge(d.warning_level),
      el('span', { class: 'muted' }, d.due_on ? `期限 ${formatDate(d.due_on)}${d.clock_stopped ? '（暂停计时）' : ''}` : ''),
      claim);
  }

  function applicantPanel(d) {
    const a = d.applicant;
    const toggle = el('button', { type: 'button', class: 'btn btn-link', id: 'reveal-pii', onclick: () => { view.reveal = !view.reveal; draw(); } },
      view.reveal ? '隐藏' : '显示完整信息');
    const clock = (label, c) => el('div', { class: 'clock' }, el('strong', {}, label), ' ',
      c.started_on ? `${formatDate(c.started_on)} 起，${c.limit} ${c.unit === 'hours' ? '小时' : c.unit === 'natural_days' ? '自然日' : '个工作日'}，期限 ${formatDate(c.due_on)}` : '未开始',
      c.finished_on ? `，已于 ${formatDate(c.finished_on)} 结束` : c.stopped ? `，${formatDate(c.stopped_since)} 起暂停` : c.started_on ? `，${daysText(c.days_left)}` : '');
    const formRows = Object.entries(d.form || {}).map(([k, v]) => el('div', { class: 'kv' }, el('span', { class: 'muted' }, k), ' ',
      typeof v === 'object' ? JSON.stringify(v) : String(v)));
    return el('section', { class: 'panel case-applicant' },
      el('h2', {}, '申请人 ', toggle),
      el('div', { class: 'kv-grid' },
        el('span', { class: 'muted' }, '姓名'), el('span', { id: 'applicant-name' }, view.reveal ? (a.name || '—') : maskName(a.name)),
        el('span', { class: 'muted' }, '证件号码'), el('span', { id: 'applicant-id' }, view.reveal ? (a.id_number || '—') : maskIdNumber(a.id_number)),
        el('span', { class: 'muted' }, '手机'), el('span', {}, view.reveal ? (a.mobile || '—') : maskMobile(a.mobile)),
        el('span', { class: 'muted' }, '渠道'), el('span', {}, d.channel || '—')),
      el('h3', {}, '时限'),
      clock('预审', d.clocks.pre_review), clock('办结', d.clocks.completion),
      formRows.length ? [el('h3', {}, '申请表'), formRows] : null);
  }

  // ------------------------------------------------------------------ materials and the viewer
  function slotList(d) {
    return el('ul', { class: 'slot-list', id: 'slot-list' }, d.materials.map((m) => {
      const verdict = m.verdict === 'ok' ? el('span', { class: 'badge verdict-ok' }, '合格')
        : m.verdict === 'problem' ? el('span', { class: 'badge verdict-problem' }, '不合格')
          : m.pages.length ? el('span', { class: 'badge' }, '待审') : null;
      const missing = !m.present && m.requirement === 'required';
      return el('li', {},
        el('button', { type: 'button', class: `slot${m.slot_id === view.slot ? ' active' : ''}`, dataset: { slot: m.slot_id },
          onclick: () => { view.slot = m.slot_id; view.page = 0; view.rotation = 0; view.fit = true; draw(); } },
        el('span', { class: 'slot-name' }, m.name),
        el('span', { class: 'slot-meta' },
          m.requirement === 'required' ? '必要' : m.requirement === 'conditional' ? '条件性' : '可选',
          ` · ${m.pages.length} 页`, missing ? el('span', { class: 'slot-missing' }, ' 未提交') : null, ' ', verdict)));
    }));
  }

  function viewer(m) {
    if (!m) return el('p', { class: 'muted' }, '该事项没有材料');
    const pages = m.pages;
    if (!pages.length) {
      return el('div', { class: 'viewer-empty' }, m.source === 'paper' ? '纸质材料（窗口收取）'
        : m.source === 'e_licence' ? '电子证照' : '申请人未提交该材料');
    }
    view.page = Math.min(view.page, pages.length - 1);
    const page = pages[view.page];
    const stage = el('div', { class: 'viewer-stage', id: 'viewer-stage' });
    let image = null;
    if (page.kind === 'image') {
      image = el('img', { src: page.url, alt: `${m.name} 第 ${view.page + 1} 页`, id: 'viewer-image', draggable: 'false' });
      image.addEventListener('error', () => stage.append(el('p', { class: 'field-error' }, '图片加载失败（链接可能已过期，请刷新）')));
      stage.append(image);
    } else {
      stage.append(el('div', { class: 'viewer-empty' }, `PDF 文件（${page.pages || 1} 页）`,
        el('a', { href: page.url, target: '_blank', rel: 'noopener', class: 'btn' }, '在新窗口打开')));
    }
    const apply = () => {
      if (!image) return;
      const turned = view.rotation % 180 !== 0;
      if (view.fit) {
        const width = stage.clientWidth - 16;
        const height = stage.clientHeight - 16;
        const w = page.width || image.naturalWidth || width;
        const h = page.height || image.naturalHeight || height;
        const [bw, bh] = turned ? [h, w] : [w, h];
        view.zoom = Math.max(MIN_ZOOM, Math.min(width / bw, height / bh, 4));
      }
      image.style.transform = `translate(-50%, -50%) rotate(${view.rotation}deg) scale(${view.zoom})`;
      zoomLabel.textContent = `${Math.round(view.zoom * 100)}%`;
      image.dataset.rotation = String(view.rotation);
      image.dataset.zoom = view.zoom.toFixed(2);
    };
    const zoomLabel = el('span', { class: 'viewer-zoom', id: 'viewer-zoom' }, '');
    const zoomBy = (direction) => {
      view.fit = false;
      view.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, direction > 0 ? view.zoom * ZOOM_FACTOR : view.zoom / ZOOM_FACTOR));
      apply();
    };
    const tool = (id, label, title, fn, disabled) => el('button', { type: 'button', class: 'btn btn-small', id, title, disabled, onclick: fn }, label);
    const go = (delta) => {
      view.page += delta;
      view.rotation = 0;
      view.fit = true;
      draw();
    };
    const bar = el('div', { class: 'viewer-tools' },
      tool('viewer-prev', '‹ 上一页', '上一页', () => go(-1), view.page === 0),
      el('span', { class: 'viewer-count', id: 'viewer-count' }, `第 ${view.page + 1} / ${pages.length} 页`),
      tool('viewer-next', '下一页 ›', '下一页', () => go(1), view.page >= pages.length - 1),
      el('span', { class: 'spacer' }),
      tool('viewer-zoom-out', '－', '缩小', () => zoomBy(-1), !image),
      zoomLabel,
      tool('viewer-zoom-in', '＋', '放大', () => zoomBy(1), !image),
      tool('viewer-fit', '适应', '适应窗口', () => { view.fit = true; apply(); }, !image),
      tool('viewer-rotate', '↻ 旋转', '顺时针旋转 90°', () => { view.rotation = (view.rotation + 90) % 360; apply(); }, !image),
      el('a', { href: page.url, target: '_blank', rel: 'noopener', class: 'btn btn-small' }, '原图'));
    if (image) {
      image.addEventListener('load', apply);
      requestAnimationFrame(apply);
    }
    const problems = (page.problems || []).length ? el('p', { class: 'page-problems' }, `系统检测：${page.problems.map((p) => p.message || p.code).join('；')}`) : null;
    return el('div', { class: 'viewer', id: 'viewer' }, bar, stage,
      el('div', { class: 'viewer-foot muted' }, [page.file_name, `上传于 ${formatDateTime(page.added_at)}`].filter(Boolean).join(' · ')), problems);
  }

  function verdictPanel(m, d) {
    if (!m) return null;
    const current = m.verdict === 'ok' ? el('span', { class: 'badge verdict-ok' }, '合格')
      : m.verdict === 'problem' ? el('span', { class: 'badge verdict-problem' }, `不合格：${m.verdict_reason}`)
        : el('span', { class: 'muted' }, '尚未审核');
    const byLine = m.verdict_by ? el('span', { class: 'muted' }, ` ${actorName(m.verdict_by)} ${formatDateTime(m.verdict_at)}`) : null;
    if (!reviewing()) {
      const why = d.state !== 'submitted' ? '' : '领取办件后才能审核材料';
      return el('div', { class: 'verdict-panel' }, el('div', {}, el('strong', {}, '审核结论：'), current, byLine),
        why ? el('p', { class: 'muted' }, why) : null);
    }
    const reason = el('textarea', { rows: 2, id: 'verdict-reason', placeholder: '不合格时请写明问题，申请人将在补正通知中看到' });
    reason.value = m.verdict === 'problem' ? (m.verdict_reason || '') : '';
    const save = (verdict) => {
      const text = reason.value.trim();
      if (verdict === 'problem' && !text) {
        reason.classList.add('invalid');
        reason.focus();
        return;
      }
      const body = verdict === 'problem' ? { verdict, reason: text, version: d.version } : { verdict, version: d.version };
      act('正在保存审核结论…', () => api.put(`${base}/materials/${m.slot_id}/verdict`, body),
        verdict === 'ok' ? `「${m.name}」合格` : `「${m.name}」已标记为不合格`);
    };
    return el('div', { class: 'verdict-panel' },
      el('div', {}, el('strong', {}, '审核结论：'), current, byLine),
      el('div', { class: 'inline verdict-actions' },
        el('button', { type: 'button', class: 'btn btn-primary', id: 'verdict-ok', disabled: !m.pages.length, onclick: () => save('ok') }, '合格'),
        el('button', { type: 'button', class: 'btn btn-danger', id: 'verdict-problem', onclick: () => save('problem') }, '不合格')),
      reason);
  }

  // ------------------------------------------------------------------ the supplement notice (一次性告知)
  async function supplementDialog(d) {
    const items = supplementItems(d.materials.flatMap((m) => {
      if (m.verdict === 'problem') return [{ material: m, reason: m.verdict_reason || '' }];
      if (m.requirement === 'required' && !m.present) return [{ material: m, reason: MISSING_REASON, fixed: true }];
      return [];
    }));
    if (!items.node.children.length) {
      toast('没有标记为不合格或缺少的材料，无需补正', 'info');
      return;
    }
    const note = el('textarea', { rows: 2, id: 'supplement-note', placeholder: '补充说明（可选），例如办理地点、联系电话' });
    const body = el('div', { class: 'supplement-body', id: 'supplement-dialog' },
      el('p', {}, '以下材料将一次性告知申请人补正（可修改问题说明）：'),
      items.node,
      el('label', {}, '补充说明'), note,
      el('p', { class: 'muted' }, '发送后预审计时暂停，申请人补正提交后继续计时。'));
    const confirmed = await formDialog('补正通知（一次性告知）', body, {
      ok: '发送补正通知', wide: true,
      validate: () => (items.incomplete() ? '每项不合格材料都要写明问题' : null),
    });
    if (!confirmed) return;
    await act('正在发送补正通知…', async () => {
      for (const { material, reason } of items.chosen()) {
        if (reason !== material.verdict_reason) {
          await api.put(`${base}/materials/${material.slot_id}/verdict`, { verdict: 'problem', reason });
        }
      }
      await api.post(`${base}/supplement`, { note: note.value.trim() });
    }, '补正通知已发送');
  }

  // ------------------------------------------------------------------ actions allowed in this state
  async function withReason(title, message, path, extra = {}, done = '已提交') {
    const reason = await promptDialog(message, { title, multiline: true, required: true });
    if (reason) await act('正在提交…', () => api.post(`${base}/${path}`, { reason, ...extra }), done);
  }

  async function passDialog() {
    const select = el('select', { id: 'originals-check' }, options(ORIGINALS, 'one_visit'));
    if (await formDialog('通过预审', el('div', { class: 'form-grid' }, field('原件核验方式', select)), { ok: '通过预审' })) {
      await act('正在提交…', () => api.post(`${base}/pass`, { originals_check: select.value }), '预审已通过');
    }
  }

  async function stepDialog() {
    const name = el('input', { type: 'text', id: 'step-name', maxlength: 100 });
    const action = el('select', { id: 'step-action' }, options(STEP_ACTIONS, 'pass'));
    const opinion = el('textarea', { rows: 3, id: 'step-opinion' });
    const ok = await formDialog('记录办理环节', el('div', { class: 'form-grid' },
      field('环节名称', name, { required: true }), field('处理结果', action), field('办理意见', opinion)),
    { validate: () => (name.value.trim() ? null : '请填写环节名称') });
    if (ok) {
      await act('正在提交…', () => api.post(`${base}/steps`, { name: name.value.trim(), action: action.value, opinion: opinion.value.trim() }), '已记录');
    }
  }

  async function suspendDialog() {
    const kind = el('select', { id: 'procedure-kind' }, options(PROCEDURES, 'extension'));
    const reason = el('textarea', { rows: 3, id: 'procedure-reason' });
    const ok = await formDialog('特别程序（暂停计时）', el('div', { class: 'form-grid' }, field('程序', kind), field('原因', reason, { required: true })),
      { validate: () => (reason.value.trim() ? null : '请填写原因') });
    if (ok) await act('正在提交…', () => api.post(`${base}/suspend`, { kind: kind.value, reason: reason.value.trim() }), '已进入特别程序');
  }

  async function approveDialog(d) {
    const result = el('input', { type: 'text', id: 'approve-result', maxlength: 200 });
    result.value = d.guide.name ? `${d.guide.name}决定书` : '';
    const licence = el('input', { type: 'text', id: 'approve-licence', maxlength: 100 });
    const valid = el('input', { type: 'date', id: 'approve-valid' });
    const ok = await formDialog('准予办理', el('div', { class: 'form-grid' },
      field('结果名称', result, { required: true }), field('证照编号', licence), field('有效期至', valid)),
    { ok: '准予', validate: () => (result.value.trim() ? null : '请填写结果名称') });
    if (ok) {
      const body = { result_name: result.value.trim(), valid_until: valid.value || null };
      if (licence.value.trim()) body.licence_no = licence.value.trim();
      await act('正在提交…', () => api.post(`${base}/approve`, body), '已准予办理');
    }
  }

  async function deliverDialog() {
    const method = el('select', { id: 'deliver-method' }, options(DELIVERY, 'express'));
    const waybill = el('input', { type: 'text', id: 'deliver-waybill', maxlength: 64 });
    const carrier = el('input', { type: 'text', id: 'deliver-carrier', maxlength: 64 });
    const ok = await formDialog('送达结果', el('div', { class: 'form-grid' },
      field('送达方式', method), field('快递单号', waybill), field('快递公司', carrier)),
    { validate: () => (method.value === 'express' && !waybill.value.trim() ? '快递寄送需要填写快递单号' : null) });
    if (ok) {
      const body = { method: method.value };
      if (waybill.value.trim()) body.waybill_no = waybill.value.trim();
      if (carrier.value.trim()) body.carrier = carrier.value.trim();
      await act('正在提交…', () => api.post(`${base}/deliver`, body), '已送达');
    }
  }

  async function pushDialog(d) {
    const first = d.joint.steps.filter((s) => !s.after.length).map((s) => `${s.name}（${view.names.department(s.department_id)}）`);
    if (await confirmDialog(`推送后以下环节同时开始办理并计时：${first.join('、')}`, { title: '推送联办', ok: '推送' })) {
      await act('正在推送…', () => api.post(`${base}/joint/push`), '已推送至联办部门');
    }
  }

  function actions(d) {
    const b = (id, label, fn, cls = '') => el('button', { type: 'button', class: `btn ${cls}`, id, onclick: fn }, label);
    const post = (path, label, done) => () => act(label, () => api.post(`${base}/${path}`), done);
    const buttons = [];
    // A joint case: the window takes it in, the window or the lead department pushes and delivers it, and
    // the departments decide their steps in the 部门联办 panel (the single-department actions are refused).
    let stage = d.state;
    if (d.joint) {
      const parts = jointParts(ctx.user, d.joint);
      if (!(['submitted', 'pre_review_passed'].includes(d.state) ? parts.intake : parts.coordinate)) stage = null;
      else if (['accepted', 'in_process', 'suspended'].includes(d.state)) stage = `joint-${d.state}`;
    }
    switch (stage) {
      case 'joint-accepted':
        buttons.push(b('action-joint-push', '推送至牵头部门…', () => pushDialog(d), 'btn-primary'));
        break;
      case 'submitted':
        if (!d.claim || !claimedByMe()) {
          buttons.push(b('action-claim', '领取办件', post('claim', '正在领取…', '已领取'), 'btn-primary'));
        } else {
          buttons.push(b('action-unclaim', '放弃领取', () => act('正在放弃…', () => api.delete(`${base}/claim`), '已放弃领取')));
          buttons.push(b('action-supplement', '补正通知…', () => supplementDialog(d)));
          buttons.push(b('action-pass', '通过预审…', passDialog, 'btn-primary'));
        }
        buttons.push(b('action-not-accept', '不予受理…', () => withReason('不予受理', '请填写不予受理的理由（将告知申请人）', 'not-accept', {}, '已作出不予受理决定'), 'btn-danger'));
        break;
      case 'pre_review_passed':
        buttons.push(b('action-accept', '受理', post('accept', '正在受理…', '已受理'), 'btn-primary'));
        buttons.push(b('action-not-accept', '不予受理…', () => withReason('不予受理', '请填写不予受理的理由（将告知申请人）', 'not-accept', {}, '已作出不予受理决定'), 'btn-danger'));
        break;
      case 'accepted':
        buttons.push(b('action-start', '开始办理', post('start', '正在提交…', '已开始办理'), 'btn-primary'));
        buttons.push(b('action-approve', '准予…', () => approveDialog(d)));
        buttons.push(b('action-deny', '不予办理…', () => withReason('不予办理', '请填写不予办理的理由', 'deny', {}, '已作出不予办理决定'), 'btn-danger'));
        break;
      case 'in_process':
        buttons.push(b('action-step', '记录环节…', stepDialog));
        buttons.push(b('action-suspend', '特别程序…', suspendDialog));
        buttons.push(b('action-approve', '准予…', () => approveDialog(d), 'btn-primary'));
        buttons.push(b('action-deny', '不予办理…', () => withReason('不予办理', '请填写不予办理的理由', 'deny', {}, '已作出不予办理决定'), 'btn-danger'));
        break;
      case 'suspended':
        buttons.push(b('action-resume', '结束特别程序', post('resume', '正在提交…', '已恢复计时'), 'btn-primary'));
        break;
      case 'approved':
        buttons.push(b('action-deliver', '送达…', deliverDialog, 'btn-primary'));
        break;
      case 'not_accepted': case 'denied': case 'delivered': case 'withdrawn':
        buttons.push(b('action-archive', '归档', post('archive', '正在归档…', '已归档')));
        break;
      default:
        break;
    }
    buttons.push(el('span', { class: 'spacer' }), b('action-refresh', '刷新', () => busy('正在刷新…', reload)));
    return el('div', { class: 'editor-actions case-actions', id: 'case-actions' }, buttons);
  }

  // ------------------------------------------------------------------ records and history
  function records(d) {
    const parts = [];
    if (d.supplement) {
      parts.push(el('div', { class: 'record supplement-record', id: 'supplement-record' },
        el('strong', {}, `第 ${d.supplement.round} 次补正通知`), ` ${formatDateTime(d.supplement.requested_at)} ${actorName(d.supplement.requested_by)}`,
        el('ol', {}, d.supplement.items.map((i) => el('li', {}, `${i.name}：${i.reason}`))),
        d.supplement.note ? el('p', {}, d.supplement.note) : null));
    }
    if (d.acceptance) {
      parts.push(el('div', { class: 'record' }, el('strong', {}, d.acceptance.accepted ? '受理' : '不予受理'),
        ` ${d.acceptance.document_no} · ${d.acceptance.unit} · ${d.acceptance.officer} · ${formatDateTime(d.acceptance.at)}`,
        d.acceptance.promised_on ? ` · 承诺办结 ${formatDate(d.acceptance.promised_on)}` : '', d.acceptance.reason ? ` · ${d.acceptance.reason}` : '',
        d.acceptance.deemed_accepted_on ? el('span', { class: 'deemed-acceptance', id: 'deemed-acceptance' }, ` · 预审逾期，视为自 ${formatDate(d.acceptance.deemed_accepted_on)} 起受理`) : null));
    }
    for (const s of d.steps) {
      parts.push(el('div', { class: 'record' }, el('strong', {}, `环节 ${s.seq}：${s.name}`), ` ${s.action} · ${actorName(s.handler)} · ${formatDateTime(s.ended_at)}`, s.opinion ? ` · ${s.opinion}` : ''));
    }
    if (d.decision) {
      parts.push(el('div', { class: 'record' }, el('strong', {}, d.decision.result === 'approved' ? '准予办理' : '不予办理'),
        ` ${d.decision.result_name || ''} ${d.decision.licence_no || ''} ${d.decision.reason || ''} · ${formatDateTime(d.decision.at)}`));
    }
    if (d.delivery) {
      parts.push(el('div', { class: 'record' }, el('strong', {}, '送达'), ` ${d.delivery.method} ${d.delivery.waybill_no || ''} · ${formatDateTime(d.delivery.at)}`));
    }
    if (d.archive) {
      const result = el('span', { id: 'archive-check' });
      parts.push(el('div', { class: 'record', id: 'archive-record' }, el('strong', {}, '电子档案'),
        ` ${d.archive.files} 个文件 · ${actorName(d.archive.by)} · ${formatDateTime(d.archive.at)} · SHA-256 `,
        el('code', { title: d.archive.sha256 }, d.archive.sha256.slice(0, 16)), ' ',
        el('button', { type: 'button', class: 'btn btn-small', id: 'action-archive-check', onclick: async () => {
          const checked = await busy('正在校验档案…', () => api.get(`${base}/archive`));
          if (!checked) return;
          clear(result, checked.intact
            ? el('span', { class: 'badge badge-live' }, '档案完好')
            : el('span', { class: 'badge badge-rejected' }, `档案受损：${checked.problems.map((p) => `${p.key}（${p.problem === 'missing' ? '缺失' : '已改变'}）`).join('；')}`));
        } }, '校验'), ' ', result));
    }
    return parts.length ? el('section', { class: 'panel case-records' }, el('h2', {}, '办理记录'), parts) : null;
  }

  function timeline(d) {
    return el('section', { class: 'panel case-history' }, el('h2', {}, '流转记录'),
      el('ol', { class: 'timeline', id: 'case-history' }, [...d.history].reverse().map((h) => el('li', { class: `timeline-item action-${h.action}` },
        el('span', { class: 'timeline-time' }, formatDateTime(h.at)),
        el('span', { class: 'timeline-what' }, `${actorName(h.actor)}：`, el('strong', {}, ACTION_LABELS[h.action] || h.action),
          h.from !== h.to ? ` （${CASE_STATE_LABELS[h.from] || h.from} → ${CASE_STATE_LABELS[h.to] || h.to}）` : ''),
        h.reason ? el('div', { class: 'timeline-reason' }, h.reason) : null,
        h.data && h.data.progress ? el('div', { class: 'timeline-reason' }, h.data.progress) : null))));
  }

  function draw() {
    const d = view.detail;
    ctx.setTitle(`办件 ${d.number}`);
    const material = d.materials.find((m) => m.slot_id === view.slot);
    clear(root,
      header(d),
      actions(d),
      d.joint ? jointPanel(d, ctx.user, view.names, { act, withReason, base }) : null,
      el('div', { class: 'case-layout' },
        el('section', { class: 'panel case-materials' },
          el('h2', {}, '材料'),
          el('div', { class: 'materials-grid' },
            slotList(d),
            el('div', { class: 'material-main' },
              material ? el('h3', { id: 'material-title' }, material.name, material.condition ? el('span', { class: 'muted' }, `（${material.condition}）`) : null) : null,
              viewer(material), verdictPanel(material, d)))),
        el('div', { class: 'case-side' }, applicantPanel(d), records(d), timeline(d))));
  }

  await reload();
}
