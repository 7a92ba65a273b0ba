// 办事指南: list and editor (content/page.js).
import { renderContentPage } from '../content/page.js';
import { GUIDE } from '../content/types.js';

export function render(root, params, ctx) {
  return renderContentPage(root, GUIDE, params, ctx);
}
