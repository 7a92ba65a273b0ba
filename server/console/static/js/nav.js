// The console's menu: one entry per page module (js/pages/<page>.js), shown to users with any of `roles`.
// Adding a page = adding its module and one line here.
export const NAV = [
  { page: 'guides', label: '办事指南', roles: ['editor', 'reviewer', 'supervisor'] },
  { page: 'notices', label: '通知公告', roles: ['editor', 'reviewer', 'supervisor'] },
  { page: 'search-care', label: '搜索维护', roles: ['editor', 'reviewer', 'supervisor'] },
  { page: 'workbench', label: '预审工作台', roles: ['officer', 'window'] },
  { page: 'supervision', label: '电子监察', roles: ['supervisor', 'officer'] },
  { page: 'calendar', label: '节假日日历', roles: ['admin', 'officer', 'supervisor'] },
];

export const ROLE_LABELS = {
  admin: '系统管理员',
  editor: '内容编辑',
  reviewer: '内容审核',
  officer: '窗口人员',
  supervisor: '监督人员',
  window: '综合窗口',
};
