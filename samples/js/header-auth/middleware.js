// Header-based auth against stored data: `X-Api-Token: <token>` is valid when the store holds
// `user:<token>` = {"name": ..., "rate": ..., "per": ...}. A bad token → 403 via return_overrides;
// post_key_auth passes the user's name upstream in `X-User`.
function HeaderAuth(request, session, metadata, spec) {
  var token = request.get_header('X-Api-Token');
  var stored = token ? tyk.get_data('user:' + token) : '';
  if (!stored) {
    request.object.return_overrides.response_code = 403;
    request.object.return_overrides.response_error = 'unknown or missing X-Api-Token';
    return;
  }
  var user = JSON.parse(stored);
  session.rate = user.rate || 10;
  session.per = user.per || 60;
  session.meta_data.user = user.name;
  metadata.token = token;
  tyk.log('authenticated ' + user.name, 'info');
}

function AddUserHeader(request, session, metadata, spec) {
  request.add_header('X-User', session.meta_data.user || 'unknown');
}
