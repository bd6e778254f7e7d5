package io.polygate.admin;

import io.polygate.observability.JsonErrors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In front of every admin path: the call must carry the admin secret in {@code X-Polygate-Secret}
 * (or Tyk's {@code X-Tyk-Authorization}), compared in constant time. Without it the call is
 * answered here, a 401 (Tyk's 403 on the {@code /tyk} paths), and logged; with it, it goes on to
 * the wrapped handler.
 */
final class AdminSecretCheck extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(AdminSecretCheck.class);
    static final String SECRET_HEADER = "X-Polygate-Secret";

    private final byte[] secretDigest;

    AdminSecretCheck(String secret, Handler next) {
        super(next);
        this.secretDigest = sha256(secret);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (authorised(request)) return super.handle(request, response, callback);
        LOG.warn("admin: refused {} {} from {}: wrong or missing admin secret", request.getMethod(),
                request.getHttpURI().getPath(), Request.getRemoteAddr(request));
        boolean tykPath = TykGatewayApi.isTykPath(request);
        AdminError refusal = tykPath ? new AdminError(403, TykGatewayApi.FORBIDDEN)
                : new AdminError(401, "admin secret missing or wrong (send it in " + SECRET_HEADER + ")");
        JsonErrors.write(response, callback, refusal.status, refusal.body(tykPath));
        return true;
    }

    private boolean authorised(Request request) {
        String given = request.getHeaders().get(SECRET_HEADER);
        if (given == null) given = request.getHeaders().get("X-Tyk-Authorization");
        if (given == null) return false;
        return MessageDigest.isEqual(sha256(given), secretDigest);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
