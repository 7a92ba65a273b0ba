// The content types the console edits, and how their editor is laid out.
//
// A layout is a list of sections; each field names a property of the type's JSON schema (fetched from
// <base>/schema) and optionally the widget to use. Properties of the schema that no layout mentions (a
// field added later on the server) still get an editor: a simple input when the schema is simple, a
// validated JSON text box otherwise. Labels of coded values come from the server (enum_labels).

const RESULT_TYPES = { licence: '证照', approval: '批文', certificate: '证明', other: '其他' };

const MATERIAL_FIELDS = [
  { name: 'name', label: '材料名称' },
  { name: 'issuing_body', label: '来源/出具单位' },
  { name: 'requirement', label: '必要性' },
  { name: 'condition', label: '需要的情形', widget: 'textarea', rows: 2 },
  { name: 'medium', label: '材料形式' },
  { name: 'originals', label: '原件份数' },
  { name: 'copies', label: '复印件份数' },
  { name: 'format_notes', label: '格式要求', widget: 'textarea', rows: 2 },
  { name: 'blank_form', label: '空白表格', widget: 'file' },
  { name: 'sample', label: '填写样本', widget: 'file' },
  { name: 'accepts_e_licence', label: '可用电子证照' },
  { name: 'accepts_reuse', label: '可复用已交材料' },
];

export const GUIDE = {
  kind: 'guide',
  page: 'guides',
  base: '/staff/v1/guides',
  noun: '办事指南',
  titleField: 'name',
  keyLabel: '实施编码',
  keyFilter: true,
  newContent: () => ({ materials: [], process_steps: [], fees: { charged: false, items: [] } }),
  sections: [
    {
      title: '基本信息',
      fields: [
        { name: 'name', label: '事项名称' },
        { name: 'aliases', label: '别名（俗称）', hint: '多个别名用逗号或顿号分隔，如：营业执照、办执照' },
        { name: 'implementation_code', label: '实施编码' },
        { name: 'basic_code', label: '基本编码' },
        { name: 'item_type', label: '事项类型' },
        { name: 'level', label: '行使层级' },
        { name: 'region_code', label: '行政区划代码' },
        { name: 'department_id', label: '实施部门', widget: 'catalog', list: 'departments' },
        { name: 'service_objects', label: '服务对象' },
        { name: 'themes', label: '主题', widget: 'catalog-multi', list: 'themes' },
        { name: 'summary', label: '摘要', widget: 'textarea', rows: 2 },
      ],
    },
    {
      title: '办理方式与时限',
      fields: [
        { name: 'handling_type', label: '办件类型' },
        { name: 'handling_mode', label: '网办方式' },
        { name: 'handling_forms', label: '办理形式' },
        { name: 'online_depth', label: '网上办理深度' },
        { name: 'visits_required', label: '到现场次数' },
        { name: 'legal_time_limit', label: '法定办结时限', widget: 'time-limit' },
        { name: 'promised_time_limit', label: '承诺办结时限', widget: 'time-limit' },
        { name: 'payment_online', label: '支持网上支付' },
        { name: 'express_delivery', label: '支持物流快递' },
        { name: 'appointment', label: '支持预约' },
        { name: 'place', label: '办理地点' },
        { name: 'hours', label: '办理时间' },
        { name: 'consult_phone', label: '咨询电话' },
        { name: 'complaint_phone', label: '监督投诉电话' },
      ],
    },
    {
      title: '条件、流程与依据',
      fields: [
        { name: 'conditions', label: '受理条件', widget: 'markdown' },
        {
          name: 'process_steps', label: '办理流程', widget: 'list', itemLabel: '环节',
          fields: [{ name: 'name', label: '环节名称' }, { name: 'description', label: '说明', widget: 'markdown', rows: 3 }],
        },
        { name: 'legal_basis', label: '设定依据', widget: 'markdown' },
      ],
    },
    {
      title: '申请材料',
      fields: [
        { name: 'materials', label: '材料清单', widget: 'list', itemLabel: '材料', fields: MATERIAL_FIELDS, showId: true },
      ],
    },
    {
      title: '收费',
      fields: [
        {
          name: 'fees', label: '收费', widget: 'object',
          fields: [
            { name: 'charged', label: '是否收费' },
            {
              name: 'items', label: '收费项目', widget: 'list', itemLabel: '收费项',
              fields: [{ name: 'name', label: '名称' }, { name: 'amount_fen', label: '金额', widget: 'yuan' },
                { name: 'basis', label: '收费依据', widget: 'textarea', rows: 2 }],
            },
            { name: 'basis', label: '收费依据', widget: 'textarea', rows: 2 },
          ],
        },
      ],
    },
    {
      title: '并联审批',
      fields: [
        {
          name: 'joint_process', label: '并联审批', widget: 'object',
          hint: '一个办件由多个部门按顺序或同时审批时填写；不需要时全部留空。',
          fields: [
            { name: 'domain', label: '审批领域', widget: 'catalog', list: 'domains' },
            { name: 'lead_department_id', label: '牵头部门', widget: 'catalog', list: 'departments' },
            {
              name: 'steps', label: '审批环节', widget: 'list', itemLabel: '环节',
              fields: [
                { name: 'id', label: '环节编号', hint: '小写字母或数字，如 s1，在本事项内唯一' },
                { name: 'name', label: '环节名称' },
                { name: 'department_id', label: '审批部门', widget: 'catalog', list: 'departments' },
                { name: 'time_limit_days', label: '时限（工作日）' },
                { name: 'after', label: '前置环节', hint: '须先通过的环节编号，用逗号分隔；不填则收件后即开始' },
              ],
            },
          ],
        },
      ],
    },
    {
      title: '结果与常见问题',
      fields: [
        {
          name: 'result', label: '办理结果', widget: 'object',
          fields: [{ name: 'name', label: '结果名称' }, { name: 'type', label: '结果类型', labels: RESULT_TYPES },
            { name: 'sample', label: '结果样本', widget: 'file' }],
        },
        {
          name: 'faq', label: '常见问题', widget: 'list', itemLabel: '问题',
          fields: [{ name: 'question', label: '问题' }, { name: 'answer', label: '解答', widget: 'markdown', rows: 3 }],
        },
      ],
    },
  ],
  // Filters of the list besides title, key, state and live: query parameter, managed list, "all" label.
  listFilters: [
    { name: 'department', list: 'departments', all: '全部部门' },
    { name: 'theme', list: 'themes', all: '全部主题' },
  ],
  listColumns: [{ label: '实施编码', value: (item) => item.key, class: 'nowrap' }],
};

export const NOTICE = {
  kind: 'notice',
  page: 'notices',
  base: '/staff/v1/notices',
  noun: '通知公告',
  titleField: 'title',
  keyFilter: false,
  newContent: () => ({ attachments: [] }),
  sections: [
    {
      title: '公告内容',
      fields: [
        { name: 'title', label: '标题' },
        { name: 'category', label: '类别' },
        { name: 'department_id', label: '发布部门', widget: 'catalog', list: 'departments' },
        { name: 'pinned', label: '置顶' },
        { name: 'summary', label: '摘要', widget: 'textarea', rows: 2 },
        { name: 'body', label: '正文', widget: 'markdown', rows: 12 },
        { name: 'cover_image', label: '封面图片', widget: 'file' },
        { name: 'attachments', label: '附件', widget: 'files' },
      ],
    },
  ],
  listFilters: [
    { name: 'category', labels: 'category', all: '全部类别' },
    { name: 'department', list: 'departments', all: '全部发布部门' },
  ],
  listColumns: [],
};

// Labels of every field path the layout knows (for the diff view): "materials.name" -> "材料名称".
export function fieldLabels(type) {
  const labels = {};
  const walk = (fields, prefix, parentLabel) => {
    for (const field of fields) {
      const path = prefix ? `${prefix}.${field.name}` : field.name;
      labels[path] = parentLabel ? `${parentLabel} · ${field.label}` : field.label;
      if (field.fields) walk(field.fields, path, field.label);
    }
  };
  for (const section of type.sections) walk(section.fields, '', '');
  return labels;
}
