// Per-user rate limits read from the gateway's data store (the Tyk forum plugin, in JS):
// `Key` header → limit from tyk.get_data("rate:<key>"), default 10 per 60 s; no key → 2 per 10 s
// per client IP. The gateway enforces session.rate/per natively and caches the session per key
// until id_extractor_deadline.
var DEFAULT_RATE = 10, DEFAULT_PER = 60, ANONYMOUS_RATE = 2, ANONYMOUS_PER = 10, SESSION_CACHE_SECONDS = 60;

function PerUserRateLimit(request, session, metadata, spec) {
  var key = request.get_header('Key');
  if (key) {
    var limit = tyk.get_data('rate:' + key);
    session.rate = limit === '' ? DEFAULT_RATE : parseInt(limit, 10);
    session.per = DEFAULT_PER;
    session.id_extractor_deadline = Math.floor(Date.now() / 1000) + SESSION_CACHE_SECONDS;
    metadata.token = key;
  } else {
    var ip = request.get_header('X-Real-Ip') || request.object.client_ip;
    session.rate = ANONYMOUS_RATE;
    session.per = ANONYMOUS_PER;
    metadata.token = 'ip:' + ip;
  }
  return [request, session, metadata];
}
