package io.polygate.plugin;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.observability.JsonErrors;
import io.polygate.proxy.Upstream;
import io.polygate.sdk.manifest.HookRef;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream of an API whose bundle has {@code response} hooks: the upstream response is held
 * (up to {@value #MAX_BUFFERED} bytes), the hooks see its status, headers and body and may change
 * them, then it goes to the client. A bigger response is sent as it is, without the hooks (and a
 * warning in the log). Routes without response hooks never use this: their responses stream.
 */
public final class ResponseHookUpstream implements Upstream {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseHookUpstream.class);
    public static final int MAX_BUFFERED = 4 << 20;

    private final Upstream inner;
    private final LoadedBundle bundle;
    private final List<HookRef> hooks;
    private final HookSpec spec;

    public ResponseHookUpstream(Upstream inner, LoadedBundle bundle, List<HookRef> hooks, HookSpec spec) {
        this.inner = inner;
        this.bundle = bundle;
        this.hooks = List.copyOf(hooks);
        this.spec = spec;
    }

    @Override
    public boolean mayBlock() { return inner.mayBlock(); }

    @Override
    public void forward(Exchange exchange, Response response, Callback callback) {
        Holding holding = new Holding(exchange, response, callback);
        inner.forward(exchange, holding, holding.upstreamDone);
    }

    /** The client response, held back until the upstream is done. */
    private final class Holding extends Response.Wrapper {
        private final Exchange exchange;
        private final Response client;
        private final Callback clientCallback;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private boolean streaming;
        final Callback upstreamDone;

        Holding(Exchange exchange, Response client, Callback clientCallback) {
            super(exchange.clientRequest(), client);
            this.exchange = exchange;
            this.client = client;
            this.clientCallback = clientCallback;
            this.upstreamDone = Callback.from(this::upstreamSucceeded, clientCallback::failed);
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            if (streaming) {
                client.write(last, content, callback);
                return;
            }
            if (content != null && content.hasRemaining()) {
                if (body.size() + content.remaining() > MAX_BUFFERED) {
                    LOG.warn("api={} bundle={}: upstream response over {} bytes, sent without response hooks",
                            exchange.apiId(), bundle.name(), MAX_BUFFERED);
                    streaming = true;
                    byte[] held = body.toByteArray();
                    body.reset();
                    client.write(false, ByteBuffer.wrap(held), Callback.from(() -> client.write(last, content, callback), callback::failed));
                    return;
                }
                byte[] chunk = new byte[content.remaining()];
                content.get(chunk);
                body.write(chunk, 0, chunk.length);
            }
            callback.succeeded();
        }

        private void upstreamSucceeded() {
            if (streaming) {
                clientCallback.succeeded();
                return;
            }
            // response hooks call into the plugin and may block: not on the upstream client's thread
            exchange.clientRequest().getComponents().getExecutor().execute(this::runHooks);
        }

        private void runHooks() {
            byte[] out = body.toByteArray();
            for (HookRef hook : hooks) {
                HookCall call = HookCall.of(exchange, exchange.session(), spec,
                        new HookCall.ResponseInput(client.getStatus(), client.getHeaders(), out));
                try {
                    bundle.invoke(hook, call);
                } catch (HookException e) {
                    Outcome.Respond r = PluginFailures.respond(bundle, hook, exchange, e, 500);
                    client.getHeaders().clear();
                    exchange.addResponseHeadersTo(client);
                    JsonErrors.write(client, clientCallback, r.status(), r.body());
                    return;
                } catch (RuntimeException e) {
                    String id = JsonErrors.newErrorId();
                    LOG.error("api={} bundle={} hook={} error_id={}: {}", exchange.apiId(), bundle.name(), hook.name(), id, e.toString(), e);
                    client.getHeaders().clear();
                    exchange.addResponseHeadersTo(client);
                    JsonErrors.write(client, clientCallback, 500, JsonErrors.body(500, "plugin hook failed", id));
                    return;
                }
                out = ResponseChanges.apply(call, client, out);
            }
            client.getHeaders().remove(HttpHeader.TRANSFER_ENCODING);
            client.getHeaders().put(HttpHeader.CONTENT_LENGTH, out.length);
            client.write(true, out.length == 0 ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(out), clientCallback);
        }
    }
}
