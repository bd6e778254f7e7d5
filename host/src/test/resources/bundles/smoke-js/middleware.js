function addFoo(request, session, metadata, spec) {
  request.add_header('Foo', 'Bar');
  tyk.log('hello from js');
}
var jsvm = new TykJS.TykMiddleware.NewMiddleware({});
jsvm.NewProcessRequest(function (request, session, spec) {
  request.SetHeaders['X-Jsvm'] = b64enc('hi');
  return jsvm.ReturnData(request, {});
});
