// Misbehaving and probing code, selected by the `Probe` header (see py-guard).
function probe(name) {
  if (name === 'java') return String(Java.type('java.lang.Runtime'));
  if (name === 'polyglot') return String(Polyglot.eval('python', '1+1'));
  if (name === 'load') return String(load('/etc/passwd'));
  if (name === 'require') return String(require('fs'));
  return 'no such probe';
}

function guard(request, session, metadata, spec) {
  var what = request.get_header('Probe');
  if (what === 'loop') { for (;;) {} }
  if (what === 'raise') throw new Error('plugin bug on purpose');
  if (what) {
    var result;
    try { result = 'allowed: ' + probe(what); } catch (e) { result = 'refused: ' + e.name + ': ' + e.message; }
    request.object.return_overrides.response_code = 200;
    request.object.return_overrides.response_body = result;
  }
}
