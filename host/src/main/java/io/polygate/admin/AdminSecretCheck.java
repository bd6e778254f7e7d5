package io.polygate.admin;

import io.polygate.observability.JsonErrors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In front of every admin path: the call must carry the admin secret in {@code X-Polygate-Secret}
 * (or Tyk's {@code X-Tyk-Authorization}), compared in constant time. Without it the call is
 * answered here, a 401 (Tyk's 403 on the {@code /tyk} paths), and logged with its path's key masked
 * ({@link AdminLogPaths}); with it, it goes on to the wrapped handler. A client address that sent
 * too many wrong secrets ({@link AdminAuthFailures}; a missing one is not counted) gets a 429 with
 * {@code Retry-After} for every call, the secret not checked, until its window ends.
 */
final class AdminSecretCheck extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(AdminSecretCheck.class);
    static final String SECRET_HEADER = "X-Polygate-Secret";

    private final byte[] secretDigest;
    private final AdminAuthFailures failures = new AdminAuthFailures();

    AdminSecretCheck(String secret, Handler next) {
        super(next);
        this.secretDigest = sha256(secret);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String address = Request.getRemoteAddr(request);
        boolean tykPath = TykGatewayApi.isTykPath(request);
        long blocked = failures.blockedForSeconds(address);
        if (blocked > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, blocked);
            AdminError refusal = new AdminError(429, "too many failed admin authentications from " + address + ": retry in " + blocked + " s");
            JsonErrors.write(response, callback, refusal.status, refusal.body(tykPath));
            return true;
        }
        String given = givenSecret(request);
        if (given != null && MessageDigest.isEqual(sha256(given), secretDigest)) return super.handle(request, response, callback);
        if (given != null) failures.failed(address);
        if (failures.blockedForSeconds(address) > 0)
            LOG.warn("admin: {} sent {} wrong secrets within {} s: its calls are refused (429) until that time is over", address,
                    AdminAuthFailures.MAX_FAILURES, AdminAuthFailures.WINDOW_SECONDS);
        LOG.warn("admin: refused {} {} from {}: wrong or missing admin secret", request.getMethod(),
                AdminLogPaths.masked(request.getHttpURI().getPath()), address);
        AdminError refusal = tykPath ? new AdminError(403, TykGatewayApi.FORBIDDEN)
                : new AdminError(401, "admin secret missing or wrong (send it in " + SECRET_HEADER + ")");
        JsonErrors.write(response, callback, refusal.status, refusal.body(tykPath));
        return true;
    }

    private static String givenSecret(Request request) {
        String given = request.getHeaders().get(SECRET_HEADER);
        return given != null ? given : request.getHeaders().get("X-Tyk-Authorization");
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
