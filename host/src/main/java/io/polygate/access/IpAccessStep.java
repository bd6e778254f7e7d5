package io.polygate.access;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import io.polygate.config.IpLists;
import java.net.InetAddress;
import org.eclipse.jetty.util.InetAddressSet;

/**
 * Tyk's IP allow and block lists: a client whose address ({@link Exchange#clientInetAddress()},
 * behind {@code trusted_proxies} the one they forward for) is not on a non-empty allow list, or is
 * on the block list, gets 403 with Tyk's message. Never blocks; a set lookup per request.
 */
public final class IpAccessStep implements Step {
    static final String REFUSED = "access from this IP has been disallowed";

    private final InetAddressSet allowed = new InetAddressSet();
    private final InetAddressSet blocked = new InetAddressSet();

    public IpAccessStep(IpLists lists) {
        lists.allowed().forEach(allowed::add);
        lists.blocked().forEach(blocked::add);
    }

    @Override public String name() { return "ip-access"; }
    @Override public Phase phase() { return Phase.ACCESS; }
    @Override public boolean mayBlock() { return false; }

    @Override
    public Outcome apply(Exchange exchange) {
        InetAddress client = exchange.clientInetAddress();
        boolean admitted = client != null && (allowed.isEmpty() || allowed.test(client)) && !blocked.test(client);
        return admitted ? Outcome.CONTINUE : Outcome.error(403, REFUSED);
    }
}
