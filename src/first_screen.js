// Inlined into the pages that keep a first screen (index.html, board.html)
// by trunk: paints the screen this device last showed at this path, kept in
// local storage by src/first_screen.rs, before the wasm has run. A kept
// screen is live: a tap on one of its buttons is noted (the last one wins,
// shown pressed) and carried out by the app when it takes over.
(function () {
  var shell = document.getElementById('shell');
  var allowed = ['lang', 'dir', 'data-contrast', 'data-text', 'data-wall'];
  try {
    var kept = JSON.parse(localStorage.getItem('waitwell.shell') || 'null');
    if (shell && kept && kept.path === location.pathname && typeof kept.html === 'string') {
      kept.attrs.forEach(function (pair) {
        if (allowed.indexOf(pair[0]) >= 0) document.documentElement.setAttribute(pair[0], String(pair[1]));
      });
      shell.innerHTML = kept.html;
      shell.className = 'kept';
      shell.removeAttribute('inert');
      shell.removeAttribute('aria-hidden');
      shell.addEventListener('click', function (event) {
        var buttons = Array.prototype.slice.call(shell.querySelectorAll('button'));
        var tapped = event.target instanceof Element ? event.target.closest('button') : null;
        var index = buttons.indexOf(tapped);
        if (index < 0 || tapped.disabled) return;
        buttons.forEach(function (button) {
          button.removeAttribute('aria-busy');
        });
        tapped.setAttribute('aria-busy', 'true');
        shell.setAttribute('data-tapped', String(index));
      });
    }
  } catch (e) {}
})();
