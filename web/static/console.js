// The only script of the console besides htmx: "select every device on this page" and the
// count of what is selected. Everything else works without JavaScript. Delegated from the
// document, so it survives htmx swaps.
const boxes = () => [...document.querySelectorAll('input[type=checkbox][name=ids]')];

/** "n selected": the ticked devices, or every device matching the filter when that is chosen. */
function showCount() {
  const out = document.getElementById('bulk-count');
  if (!out) return;
  const matching = document.getElementById('select-matching');
  const n = matching && matching.checked ? Number(matching.dataset.total) : boxes().filter((b) => b.checked).length;
  out.textContent = `${n.toLocaleString('en-US')} selected`;
  out.hidden = false;
}

document.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
  const all = document.querySelector('input[data-select-all]');
  if (all && box === all) {
    for (const b of boxes()) b.checked = all.checked;
    all.indeterminate = false;
  } else if (all && box.name === 'ids') {
    const checked = boxes().filter((b) => b.checked).length;
    all.checked = checked === boxes().length;
    all.indeterminate = checked > 0 && checked < boxes().length;
  }
  showCount();
});

document.addEventListener('DOMContentLoaded', showCount);
document.addEventListener('htmx:load', showCount);
