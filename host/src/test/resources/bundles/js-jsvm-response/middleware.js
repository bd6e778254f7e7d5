// A TykJS middleware object named as a response hook: Tyk has no JSVM response middleware.
var responseMw = new TykJS.TykMiddleware.NewMiddleware({});
responseMw.NewProcessRequest(function (request, session, spec) {
  return responseMw.ReturnData(request, {});
});
