// The auth plugin of the peers' nginx+njs row, as a JS pre hook run on every request: look
// header Key up in a table; unknown -> 401, known -> X-User header upstream (bench/nginx/auth.js).
var KEYS = { k1: "alice", k2: "bob", k3: "carol" };
function benchPre(request, session, spec) {
  var user = KEYS[request.get_header('Key') || ''];
  if (user === undefined) {
    request.object.return_overrides.response_code = 401;
    request.object.return_overrides.response_error = "unknown key";
    return [request, session];
  }
  request.add_header('X-User', user);
  return [request, session];
}
