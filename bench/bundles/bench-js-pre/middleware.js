function benchPre(request, session, spec) {
  request.add_header('X-Bench', 'js-' + (request.get_header('Host') || ''));
}
