// 通知公告: list and editor (content/page.js).
import { renderContentPage } from '../content/page.js';
import { NOTICE } from '../content/types.js';

export function render(root, params, ctx) {
  return renderContentPage(root, NOTICE, params, ctx);
}
