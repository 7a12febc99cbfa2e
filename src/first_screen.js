// Inlined into the pages that keep a first screen (index.html, board.html)
// by trunk: paints the screen this device last showed at this path, kept in
// local storage by src/first_screen.rs, before the wasm has run.
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
    }
  } catch (e) {}
})();
