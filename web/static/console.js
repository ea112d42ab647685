// The only script of the console besides htmx: "select every device on this page". Everything
// else works without JavaScript. Delegated from the document, so it survives htmx swaps.
document.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
  const boxes = [...document.querySelectorAll('input[type=checkbox][name=ids]')];
  const all = document.querySelector('input[data-select-all]');
  if (!all) return;
  if (box === all) {
    for (const b of boxes) b.checked = all.checked;
    all.indeterminate = false;
    return;
  }
  const checked = boxes.filter((b) => b.checked).length;
  all.checked = checked === boxes.length;
  all.indeterminate = checked > 0 && checked < boxes.length;
});
