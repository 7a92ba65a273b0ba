// One page module per content type uses this: `#/<page>` is the list, `#/<page>/new` a new item,
// `#/<page>/<id>` its editor and `#/<page>/<id>/history` its revisions.
import { renderEditor } from './editor.js';
import { renderList } from './list.js';

export function renderContentPage(root, type, params, ctx) {
  const [id, tab] = params;
  if (!id) return renderList(root, type, ctx);
  ctx.setTitle(type.noun);
  return renderEditor(root, type, id === 'new' ? null : id, tab, ctx);
}
